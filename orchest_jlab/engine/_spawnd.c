/* The step spawner's helper in C (engine/spawner.py; _spawnd.py is the same in Python, the fallback).

   Started as `_spawnd FD`: single-threaded, it starts each step's process with
   clone3(CLONE_INTO_CGROUP), so the step is born in its cgroup and never moves there (a move waits
   for an RCU grace period, 10-20 ms). Fork semantics (no CLONE_VM): this process is small, so the
   copy is cheap, and the child may run ordinary C before its exec. glibc 2.36 has no wrapper for
   clone3 (nor posix_spawnattr_setcgroup_np, 2.39), hence the raw system call.

   Messages on the SEQPACKET socket FD (spawner.py's encode/decode are the other half):
   in:  "cwd\0cgroup\0argc\0argv[0]\0...argv[argc-1]\0K=V\0...K=V\0", the step's output (the write
        end of a pipe) attached with SCM_RIGHTS;
   out: struct reply {kind, pid, value}, int32 each, native byte order: STARTED (pid) or FAILED
        (value: errno) for each request in order, EXITED (pid, value: wait status) when a step's
        process has ended.
   At the socket's end (the engine's process ended or closed it) it exits, leaving its children
   running: the engine's recovery kills them by their cgroup. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435 /* the same number on every architecture */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

enum { STARTED = 1, FAILED = 2, EXITED = 3 };
struct reply { int32_t kind, pid, value; };

/* What clone3 reads (linux/sched.h's struct clone_args, CLONE_ARGS_SIZE_VER2). */
struct args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

#define MESSAGE_SIZE (4 << 20) /* at least what a SEQPACKET message can hold */

extern char **environ;

static int sock;
static struct pollfd *polled; /* [0]: the socket; then each child's pidfd */
static pid_t *pids;           /* pids[i]: the child of polled[i] */
static size_t count = 1, room = 64;

static void send_reply(int32_t kind, int32_t pid, int32_t value) {
    struct reply reply = {kind, pid, value};
    if (send(sock, &reply, sizeof reply, MSG_NOSIGNAL) != (ssize_t)sizeof reply)
        _exit(0); /* the engine is gone: as at the socket's end */
}

/* The new process: its own session (cancel kills its group), the step's folder and output, then
   the step's command. Never returns. */
static void child(const char *cwd, char **argv, char **env, int output, int devnull) {
    const char *failed = NULL;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0)
        failed = "setsid";
    else if (chdir(cwd) < 0)
        failed = cwd;
    else if (dup2(devnull, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0)
        failed = "its output";
    if (!failed) {
        environ = env; /* execvp searches the request's PATH, as os.execvpe does */
        execvp(argv[0], argv);
    }
    int code = errno;
    dprintf(output, "could not start %s: %s%s%s\n", argv[0], failed ? failed : "", failed ? ": " : "",
            strerror(code));
    _exit(127);
}

/* Splits a request in place; 0, or an errno (EINVAL: not a request). */
static int parse(char *message, size_t size, char **cwd, char **cgroup, char ***argv, char ***env) {
    if (size == 0 || message[size - 1] != '\0')
        return EINVAL;
    size_t fields = 0;
    for (size_t i = 0; i < size; i++)
        fields += message[i] == '\0';
    if (fields < 4)
        return EINVAL;
    char **list = malloc((fields + 2) * sizeof *list); /* argv and env, each NULL-terminated */
    if (!list)
        return ENOMEM;
    char *field = message;
    *cwd = field;
    field += strlen(field) + 1;
    *cgroup = field;
    field += strlen(field) + 1;
    char *end;
    unsigned long argc = strtoul(field, &end, 10);
    field += strlen(field) + 1;
    if (*end != '\0' || argc == 0 || argc > fields - 3) {
        free(list);
        return EINVAL;
    }
    size_t n = 0;
    for (unsigned long i = 0; i < argc; i++, field += strlen(field) + 1)
        list[n++] = field;
    list[n++] = NULL;
    *env = list + n;
    for (; field < message + size; field += strlen(field) + 1)
        list[n++] = field;
    list[n] = NULL;
    *argv = list;
    return 0;
}

static void add_child(int pidfd, pid_t pid) {
    if (count == room) {
        room *= 2;
        polled = realloc(polled, room * sizeof *polled);
        pids = realloc(pids, room * sizeof *pids);
        if (!polled || !pids)
            abort();
    }
    polled[count] = (struct pollfd){.fd = pidfd, .events = POLLIN};
    pids[count++] = pid;
}

/* One request: a step started (its pid) or why not (errno). */
static void spawn(char *message, size_t size, int output, int devnull) {
    char *cwd, *cgroup, **argv, **env;
    int code = parse(message, size, &cwd, &cgroup, &argv, &env);
    if (code) {
        send_reply(FAILED, 0, code);
        return;
    }
    int group = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (group < 0) {
        code = errno;
        free(argv);
        send_reply(FAILED, 0, code);
        return;
    }
    int pidfd = -1;
    struct args args = {.flags = CLONE_INTO_CGROUP | CLONE_PIDFD, .pidfd = (uintptr_t)&pidfd,
                        .exit_signal = SIGCHLD, .cgroup = (uint64_t)group};
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0)
        child(cwd, argv, env, output, devnull);
    code = errno;
    close(group);
    free(argv);
    if (pid < 0) {
        send_reply(FAILED, 0, code);
        return;
    }
    add_child(pidfd, (pid_t)pid);
    send_reply(STARTED, (int32_t)pid, 0);
}

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    sock = atoi(argv[1]);
    /* Steps must not keep the socket open: its end tells the engine that this process died. */
    if (fcntl(sock, F_SETFD, FD_CLOEXEC) < 0)
        return 2;
    signal(SIGPIPE, SIG_DFL); /* kept by exec: the steps get them as any program does */
    signal(SIGXFSZ, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char *message = malloc(MESSAGE_SIZE);
    polled = malloc(room * sizeof *polled);
    pids = malloc(room * sizeof *pids);
    if (devnull < 0 || !message || !polled || !pids)
        return 2;
    polled[0] = (struct pollfd){.fd = sock, .events = POLLIN};
    for (;;) {
        if (poll(polled, count, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 2;
        }
        for (size_t i = count - 1; i > 0; i--) { /* ended steps (backwards: the last moves into i) */
            if (!polled[i].revents)
                continue;
            int status = 0;
            waitpid(pids[i], &status, 0);
            close(polled[i].fd);
            send_reply(EXITED, pids[i], status);
            polled[i] = polled[--count];
            pids[i] = pids[count];
        }
        if (!polled[0].revents)
            continue;
        union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
        struct iovec part = {message, MESSAGE_SIZE};
        struct msghdr header = {.msg_iov = &part, .msg_iovlen = 1, .msg_control = &control,
                                .msg_controllen = sizeof control};
        ssize_t size = recvmsg(sock, &header, MSG_CMSG_CLOEXEC);
        if (size < 0 && errno == EINTR)
            continue;
        if (size <= 0)
            return 0; /* the socket's end: the children run on */
        int output = -1;
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&header);
        if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
            cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(&output, CMSG_DATA(cmsg), sizeof output);
        if (output < 0 || header.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
            send_reply(FAILED, 0, output < 0 ? EBADF : EMSGSIZE);
        else
            spawn(message, (size_t)size, output, devnull);
        if (output >= 0)
            close(output);
    }
}

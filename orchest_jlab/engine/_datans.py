"""Run a command with a project's data folder at ``/data``, in a mount namespace of its own.

    python -I -S _datans.py DATA_FOLDER ROOT_MOUNTPOINT -- COMMAND [ARGS...]

Orchest mounts a data folder at ``/data`` in every step; on the host there is usually no ``/data``
(and making one would change the machine for everyone). So: a private mount namespace (a user
namespace too when not root), a tmpfs root that binds every top-level entry of the real root at its
own path plus ``DATA_FOLDER`` at ``/data``, ``chroot`` into it, back to the same working folder, then
``exec`` the command (same pid: killing it, its process group or its cgroup works as before).
Nothing changes outside the namespace. Standard library only: started as a script, not imported.
Exit code 125 with a message on stderr when the namespace cannot be made.
"""

import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 1
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags, None),
           f"mount {source or fstype} on {target}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter(data_folder, mountpoint):
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        _check(_libc.unshare(CLONE_NEWNS), "unshare(mount namespace)")
    else:
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare(user and mount namespaces)")
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount reaches the host
    cwd = os.getcwd()
    if os.path.isdir("/data"):  # the machine has one: cover it, no new root needed
        _mount(data_folder, "/data", None, MS_BIND | MS_REC)
        return
    _mount("tmpfs", mountpoint, "tmpfs", 0)
    for name in os.listdir("/"):
        source, target = "/" + name, os.path.join(mountpoint, name)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        elif os.path.isdir(source):
            os.mkdir(target)
            _mount(source, target, None, MS_BIND | MS_REC)
        elif os.path.exists(source):
            open(target, "w").close()
            _mount(source, target, None, MS_BIND)
    os.mkdir(os.path.join(mountpoint, "data"))
    _mount(data_folder, os.path.join(mountpoint, "data"), None, MS_BIND | MS_REC)
    # The new root itself read-only, as / is for a user: only what is bound in is writable.
    _mount(None, mountpoint, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    os.chroot(mountpoint)
    os.chdir(cwd)


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: _datans.py DATA_FOLDER ROOT_MOUNTPOINT -- COMMAND [ARGS...]\n")
        return 2
    data_folder, mountpoint, command = argv[0], argv[1], argv[3:]
    try:
        enter(data_folder, mountpoint)
    except OSError as exc:
        sys.stderr.write(f"/data cannot be given to this step: {exc}\n")
        return 125
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write(f"{command[0]}: {exc.strerror}\n")
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Kernels that listen on TCP only (Deno's ``deno jupyter``), served over IPC sockets all the same.

Step kernels talk over ZeroMQ IPC sockets (host kernels: nothing listens on a host port; container
kernels: the sockets are the only way in, through a mounted folder). Deno's kernel cannot bind them,
so its command becomes: a bridge (``tcp_bridge.js``, run by the same ``deno``) listening on the IPC
sockets and forwarding each connection to the kernel's loopback port, then the kernel itself, with
a TCP connection file the bridge wrote. The kernel is the command's process (signals reach it); the
bridge is its child and ends with it (its container, or its process group).
"""

from __future__ import annotations

from pathlib import Path

BRIDGE = Path(__file__).with_name("tcp_bridge.js")
# $1 the bridge, $2 the IPC connection file, then the kernel's command; a bridge that dies before
# it wrote the TCP file (deno too old, a socket path taken) ends the kernel's start with its message.
_SCRIPT = ('b="$1" c="$2"; shift 2; "$1" run --allow-all --no-config --quiet "$b" "$c" "$c.tcp" & '
           'while [ ! -e "$c.tcp" ]; do kill -0 $! 2>/dev/null || exit 70; sleep 0.05; done; exec "$@"')


def tcp_only(command: list[str]) -> bool:
    """Whether the kernel command is one that cannot bind IPC sockets: Deno's kernel."""
    return bool(command) and Path(command[0]).name == "deno" and "jupyter" in command[1:]


def bridged(command: list[str], connection_file: str, bridge: Path | str = BRIDGE) -> list[str]:
    """The command that starts ``command`` (a kernel taking ``--conn <connection_file>``) behind
    the bridge: the kernel reads the TCP connection file instead."""
    tcp_file = f"{connection_file}.tcp"
    kernel = [tcp_file if arg == connection_file else arg.replace(f"={connection_file}", f"={tcp_file}")
              for arg in command]
    return ["sh", "-c", _SCRIPT, "sh", str(bridge), connection_file, *kernel]

"""Builds the step spawner's C helper (orchest_jlab/engine/_spawnd.c) when the package is built.

On Linux with a C compiler (``CC``, else ``cc``) the helper is compiled into
``orchest_jlab/engine/_spawnd`` (git-ignored): in the source tree for an editable install (which
runs from there), into the wheel otherwise (a wheel for this platform then). Without either, no
helper is built and steps are started by the Python one (``_spawnd.py``): one line says so.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "orchest_jlab/engine/_spawnd.c"
BINARY = "orchest_jlab/engine/_spawnd"


class SpawnerHelperHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        built = compile_helper(root / SOURCE, root / BINARY)
        if built is not None:
            self.app.display_info(f"orchest-jlab: the C step spawner's helper was not built ({built}); steps start "
                                  "through the Python one")
            return
        if version != "editable":  # (an editable install runs it where it was built)
            build_data["force_include"][str(root / BINARY)] = BINARY
            build_data["pure_python"] = False
            build_data["infer_tag"] = True


def compile_helper(source: Path, binary: Path) -> str | None:
    """Compiles ``source`` into ``binary`` (through a temporary file: a running helper keeps its
    file); None when done, else why not."""
    if sys.platform != "linux":
        return "not Linux"
    compiler = shlex.split(os.environ.get("CC") or "cc")
    if not compiler or shutil.which(compiler[0]) is None:
        return f"no C compiler: {compiler[0] if compiler else 'CC is empty'}"
    partial = binary.with_name(f"{binary.name}.{os.getpid()}.tmp")
    try:
        done = subprocess.run([*compiler, "-std=c99", "-O2", "-Wall", "-o", str(partial), str(source)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"{compiler[0]} failed: {(done.stderr or done.stdout).strip()}"
        os.replace(partial, binary)
    finally:
        partial.unlink(missing_ok=True)
    return None

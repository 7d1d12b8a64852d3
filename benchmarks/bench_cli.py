"""Speed of the ``orchest-jlab`` command as a user types it, against baselines of the same run.

1. start: ``orchest-jlab --help`` vs a bare ``python -c pass`` (target: at most 10x);
2. a 60-step chain of trivial ``.py`` steps: the whole ``orchest-jlab run`` command vs 60 bare
   interpreter starts of the same files one after another (target: at most 1.3x), with the engine
   alone (in this process, no command start) beside it;
3. ``orchest-jlab validate`` of a 200-step pipeline vs ``python -c pass`` (for context).

Every figure: median of alternating rounds, with its spread (``timing.py``).
Run: ``python benchmarks/bench_cli.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import bare_starts, engine_run, write_chain  # noqa: E402
from bench_pipelines import big_pipeline  # noqa: E402
from timing import alternate, report  # noqa: E402

COMMAND = str(Path(sys.executable).with_name("orchest-jlab"))


def quiet(*command: str, cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (at least 5)")
    args = parser.parse_args()
    if not os.path.exists(COMMAND):
        sys.exit(f"{COMMAND} not found: install the package first (make install)")
    # As an installed wheel has (an editable install under PYTHONDONTWRITEBYTECODE=1 would compile
    # every module of the package again at each start of the command).
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "orchest_jlab"), quiet=1)

    report("start: orchest-jlab --help vs a bare interpreter", alternate({
        "python -c pass": lambda: quiet(sys.executable, "-c", "pass"),
        "orchest-jlab --help": lambda: quiet(COMMAND, "--help"),
    }, args.rounds * 2), "python -c pass", {"orchest-jlab --help": 10})

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "chain"
        folder.mkdir()
        path = write_chain(folder, 60, ".py")
        report("a 60-step chain of trivial .py steps", alternate({
            "60 bare interpreter starts": lambda: bare_starts(folder, 60),
            "orchest-jlab run": lambda: quiet(COMMAND, "run", "--backend", "local", "--quiet", str(path), cwd=folder),
            "engine alone (in process)": lambda: asyncio.run(engine_run(path)),
        }, args.rounds), "60 bare interpreter starts", {"orchest-jlab run": 1.3}, unit="s")

        project = Path(tmp) / "project"
        project.mkdir()
        big = big_pipeline(project)
        report("orchest-jlab validate of a 200-step pipeline", alternate({
            "python -c pass": lambda: quiet(sys.executable, "-c", "pass"),
            "orchest-jlab validate": lambda: quiet(COMMAND, "validate", str(big)),
        }, args.rounds), "python -c pass")


if __name__ == "__main__":
    main()

"""Speed of the ``orchest-jlab`` command as a user types it, against baselines of the same run.

1. start: ``orchest-jlab --help`` vs a bare ``python -c pass`` (target: at most 10x);
2. a 60-step chain of trivial ``.py`` steps: the whole ``orchest-jlab run`` command vs 60 bare
   interpreter starts of the same files one after another (target: at most 1.3x), with the engine
   alone (in this process, no command start) beside it;
3. ``orchest-jlab validate`` of a 200-step pipeline vs ``python -c pass`` (for context);
4. a 1-step notebook run (one cell) through ``orchest-jlab run`` vs a new interpreter executing the
   same notebook with nbclient (the same kernel), for context (the command's start with nbformat).

Every figure: median of alternating rounds, with its spread (``timing.py``). The chain is reported
twice: wall time, and CPU time (the children's rusage: the command, its spawner helper and its
steps; the bare starts' interpreters), which a loaded machine disturbs less.
``--against DIR``: the chain also run by another tree's package (``python -m orchest_jlab`` with
``PYTHONPATH=DIR``: ``git archive <commit> orchest_jlab schemas | tar -x -C DIR`` and its
``orchest_jlab/_version.py``), beside this tree's the same way,
in the same rounds.
Run: ``python benchmarks/bench_cli.py [--rounds N] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import bare_starts, engine_run, write_chain  # noqa: E402
from bench_pipelines import big_pipeline  # noqa: E402
from timing import alternate, report  # noqa: E402

COMMAND = str(Path(sys.executable).with_name("orchest-jlab"))


def quiet(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def with_cpu(fn, samples: list[float]):
    """``fn``, adding the CPU seconds of the processes it ran (and waited for) to ``samples``."""
    def timed() -> None:
        before = children_cpu()
        fn()
        samples.append(children_cpu() - before)
    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (at least 5)")
    parser.add_argument("--against", type=Path, help="a tree whose orchest_jlab runs the chain too (python -m)")
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
        run = ("run", "--backend", "local", "--quiet", str(path))
        commands = {"60 bare interpreter starts": lambda: bare_starts(folder, 60),
                    "orchest-jlab run": lambda: quiet(COMMAND, *run, cwd=folder)}
        if args.against:
            for name, tree in (("python -m, this tree", Path(__file__).resolve().parents[1]), ("python -m, --against", args.against)):
                env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
                commands[f"orchest-jlab run ({name})"] = lambda env=env: quiet(sys.executable, "-m", "orchest_jlab", *run,
                                                                               cwd=folder, env=env)
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        cases = {name: with_cpu(fn, cpu[name]) for name, fn in commands.items()}
        targets = dict.fromkeys((n for n in commands if n.startswith("orchest-jlab")), 1.3)
        report("a 60-step chain of trivial .py steps", alternate({
            **cases, "engine alone (in process)": lambda: asyncio.run(engine_run(path)),
        }, args.rounds), "60 bare interpreter starts", targets, unit="s")
        report("the same rounds, CPU time", {name: samples[1:] for name, samples in cpu.items()},  # (the warm-up's out)
               "60 bare interpreter starts", targets, unit="s")
        print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

        notebook_case(Path(tmp) / "notebook", args)

        project = Path(tmp) / "project"
        project.mkdir()
        big = big_pipeline(project)
        report("orchest-jlab validate of a 200-step pipeline", alternate({
            "python -c pass": lambda: quiet(sys.executable, "-c", "pass"),
            "orchest-jlab validate": lambda: quiet(COMMAND, "validate", str(big)),
        }, args.rounds), "python -c pass")


NBCLIENT = ("import sys, nbformat\nfrom nbclient import NotebookClient\n"
            "nb = nbformat.read(sys.argv[1], as_version=4)\n"
            "NotebookClient(nb, kernel_name='python3').execute()\nnbformat.write(nb, sys.argv[1])\n")


def notebook_case(folder: Path, args) -> None:
    folder.mkdir()
    path = write_chain(folder, 1, ".ipynb")
    run = ("run", "--backend", "local", "--quiet", str(path))
    commands = {"nbclient in a new interpreter": lambda: quiet(sys.executable, "-c", NBCLIENT, str(folder / "s000.ipynb")),
                "orchest-jlab run": lambda: quiet(COMMAND, *run, cwd=folder)}
    if args.against:
        env = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
        commands["orchest-jlab run (python -m, --against)"] = lambda: quiet(sys.executable, "-m", "orchest_jlab", *run,
                                                                            cwd=folder, env=env)
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    report("a 1-step notebook run", alternate({name: with_cpu(fn, cpu[name]) for name, fn in commands.items()},
                                              args.rounds), "nbclient in a new interpreter", unit="s")
    report("the same rounds, CPU time", {name: samples[1:] for name, samples in cpu.items()},
           "nbclient in a new interpreter", unit="s")


if __name__ == "__main__":
    main()

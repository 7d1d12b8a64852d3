"""CPU per script step of its start and end as a Dask worker does them, and in which process.

Three cases, alternated, each starting ``--steps`` trivial processes (``/bin/true``) one after
another from one event loop: through the step spawner into a new cgroup per step (mkdir before,
rmdir after: what a step gets), through the spawner into one cgroup made once (the cgroup's part
is the difference), and through asyncio (vfork, no cgroup: what ``ORCHEST_JLAB_STEP_CGROUPS=0``
does), the order rotating from round to round. Per step: this process's CPU (the worker's event
loop) and the steps' (with the spawner's own, which reaps them). Needs a writable cgroup v2 hierarchy (else it says so and stops).
Run: ``python benchmarks/bench_step_start.py [--steps N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchest_jlab.engine import cgroups, spawner  # noqa: E402

COMMAND = ["/bin/true"]  # --python: a bare interpreter instead


def own_cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """A process's CPU with that of the children it has reaped (clock ticks: hence many steps)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


async def steps(case: str, helper: spawner.Spawner, count: int, base: Path) -> None:
    for i in range(count):
        if case == "vfork":
            process = await asyncio.create_subprocess_exec(*COMMAND, stdin=subprocess.DEVNULL, start_new_session=True)
            await process.wait()
            continue
        group = base / f"{cgroups.PREFIX}bench-{os.getpid()}-{i}" if case == "new cgroup" else base
        if case == "new cgroup":
            group.mkdir()
        read, write = os.pipe()
        try:
            _, code = await helper.spawn(COMMAND, dict(os.environ), "/", group, write)
        finally:
            os.close(write)
        await code
        os.close(read)
        if case == "new cgroup":
            cgroups.remove_if_empty(group)


async def main(count: int, rounds: int) -> None:
    base = cgroups.base()
    helper = spawner.spawner() if base is not None else None
    if helper is None:
        print("no writable cgroup v2 hierarchy here: steps get no cgroup, nothing to measure")
        return
    one = base / f"{cgroups.PREFIX}bench-{os.getpid()}"
    one.mkdir()
    figures: dict[str, dict[str, list[float]]] = {}
    try:
        cases = ["new cgroup", "one cgroup", "vfork"]
        for round_ in range(rounds):
            for case in cases[round_ % 3:] + cases[:round_ % 3]:
                # The steps: the spawner's part (it reaps them) or, for vfork, this process's children's.
                before = own_cpu(), tree_cpu(helper.process.pid) + own_cpu(resource.RUSAGE_CHILDREN)
                await steps(case, helper, count, base if case == "new cgroup" else one)
                after = own_cpu(), tree_cpu(helper.process.pid) + own_cpu(resource.RUSAGE_CHILDREN)
                parts = figures.setdefault(case, {"worker": [], "steps (and the spawner)": []})
                parts["worker"].append((after[0] - before[0]) / count * 1000)
                parts["steps (and the spawner)"].append((after[1] - before[1]) / count * 1000)
    finally:
        cgroups.remove_if_empty(one)
    print(f"CPU per step, ms (median, spread over {rounds} rounds of {count}), load average %.1f %.1f %.1f:"
          % os.getloadavg())
    for case, parts in figures.items():
        print(f"  {case}: " + "; ".join(f"{part} {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
                                         for part, values in parts.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", action="store_true", help="start `python -c pass` (an interpreter's start)")
    arguments = parser.parse_args()
    if arguments.python:
        COMMAND[:] = [sys.executable, "-c", "pass"]
    asyncio.run(main(arguments.steps, arguments.rounds))

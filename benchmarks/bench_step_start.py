"""CPU per script step of its start and end as a Dask worker does them, and in which process.

Five cases, alternated, each starting ``--steps`` trivial processes (``/bin/true``) one after
another from one event loop: through the step spawner's C helper (``_spawnd.c``) and through its
Python helper (``_spawnd.py``, the fallback), each into a new cgroup per step (mkdir before, rmdir
after: what a step gets) and into one cgroup made once (the cgroup's part is the difference), and
through asyncio (vfork, no cgroup: what ``ORCHEST_JLAB_STEP_CGROUPS=0`` does), the order rotating
from round to round. Per step: this process's CPU (the worker's event loop) and the steps' (with
the helper's own, which reaps them). Needs a writable cgroup v2 hierarchy (else it says so and
stops); without a built C helper its cases are left out.
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


async def steps(case: str, helper: spawner.Spawner | None, count: int, base: Path) -> None:
    for i in range(count):
        if helper is None:
            process = await asyncio.create_subprocess_exec(*COMMAND, stdin=subprocess.DEVNULL, start_new_session=True)
            await process.wait()
            continue
        new = case.endswith("new cgroup")
        group = base / f"{cgroups.PREFIX}bench-{os.getpid()}-{i}" if new else base
        if new:
            group.mkdir()
        read, write = os.pipe()
        try:
            _, code = await helper.spawn(COMMAND, dict(os.environ), "/", group, write)
        finally:
            os.close(write)
        await code
        os.close(read)
        if new:
            cgroups.remove_if_empty(group)


async def main(count: int, rounds: int) -> None:
    base = cgroups.base()
    if base is None:
        print("no writable cgroup v2 hierarchy here: steps get no cgroup, nothing to measure")
        return
    loop = asyncio.get_running_loop()
    helpers = {"Python": spawner.Spawner(native=False)}
    if spawner.native_built():
        helpers["C"] = spawner.Spawner(native=True)
    for helper in helpers.values():
        helper.bind(loop)
    one = base / f"{cgroups.PREFIX}bench-{os.getpid()}"
    one.mkdir()
    figures: dict[str, dict[str, list[float]]] = {}
    cases = [(f"{kind} helper, {where}", helper) for kind, helper in helpers.items()
             for where in ("new cgroup", "one cgroup")] + [("asyncio vfork, no cgroup", None)]
    try:
        for round_ in range(rounds):
            for case, helper in cases[round_ % len(cases):] + cases[:round_ % len(cases)]:
                # The steps: the helper's part (it reaps them) or, for vfork, this process's children's.
                def steps_cpu() -> float:
                    return tree_cpu(helper.process.pid) if helper else own_cpu(resource.RUSAGE_CHILDREN)

                before = own_cpu(), steps_cpu()
                await steps(case, helper, count, base if case.endswith("new cgroup") else one)
                after = own_cpu(), steps_cpu()
                parts = figures.setdefault(case, {"worker": [], "steps (and the helper)": []})
                parts["worker"].append((after[0] - before[0]) / count * 1000)
                parts["steps (and the helper)"].append((after[1] - before[1]) / count * 1000)
    finally:
        cgroups.remove_if_empty(one)
        for helper in helpers.values():
            helper.close()
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

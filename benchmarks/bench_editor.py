"""Speed of the pipeline editor in the browser (headless Chromium through Galata/Playwright).

Runs ``ui-tests/tests/benchmark.spec.ts`` (which the UI test suite leaves out) and prints medians
of alternating rounds with their spreads (``timing.py``), against baselines measured in the same page:
- a 300-step pipeline opened and fully drawn vs the same file opened in JupyterLab's text editor;
- 300 step-state updates arriving at once, painted, vs 300 plain elements updated and painted.
Targets (the editor issue): under 1 s to open and draw, within 100 ms to repaint.

Run: ``make bench``, or ``python benchmarks/bench_editor.py`` with the environment's bin first on
PATH (``ui-tests/run.sh`` needs ``jupyter`` and ``jlpm``). ``ORCHEST_UI_PORT`` picks the port.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    env = dict(os.environ, ORCHEST_BENCH="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run([str(ROOT / "ui-tests" / "run.sh"), "tests/benchmark.spec.ts"], env=env,
                          capture_output=True, text=True)
    found = re.search(r"orchest-jlab benchmark: (\{.*\})", done.stdout)
    if done.returncode != 0 or not found:
        sys.stdout.write(done.stdout[-4000:])
        sys.stderr.write(done.stderr[-4000:])
        print("bench_editor: the browser benchmark did not run", file=sys.stderr)
        return 1
    r = json.loads(found.group(1))
    steps = r["steps"]
    report(f"Editor, {steps}-step pipeline: open and draw (target < 1000 ms)",
           {"open in the text editor": [t / 1000 for t in r["textTimes"]],
            "open and draw in the editor": [t / 1000 for t in r["openTimes"]]}, "open in the text editor")
    report(f"{steps} step-state updates arriving at once, painted (target < 100 ms)",
           {f"{steps} plain elements updated": [t / 1000 for t in r["plainTimes"]],
            "the editor's steps": [t / 1000 for t in r["updateTimes"]]}, f"{steps} plain elements updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

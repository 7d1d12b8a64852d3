"""How every benchmark here measures: alternating rounds, medians, spreads, ratios of the same run.

The machines this runs on are shared and noisy (other builds and tests on the same cores), so a
figure is never one sample nor a best-of: each case runs once per round, the cases alternate within
a round (a burst of load hits them alike), and a figure is the median over the rounds with its
spread (min–max). A ratio is the median of the per-round ratios against a baseline measured in the
same round, with their spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

ROUNDS = 5  # at least 5, whatever a benchmark's --quick says


def alternate(cases: dict[str, Callable[[], object]], rounds: int = ROUNDS, *, warmup: bool = True) -> dict[str, list[float]]:
    """Seconds per call of each case, over ``rounds`` rounds in which the cases take turns (the
    order rotates by one each round). ``warmup``: one untimed call of each first."""
    if warmup:
        for fn in cases.values():
            fn()
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(max(rounds, ROUNDS)):
        for name in names[i % len(names):] + names[:i % len(names)]:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return times


def figure(samples: list[float], unit: str = "ms") -> str:
    """``median (spread min–max, n rounds)``."""
    scale = {"s": 1, "ms": 1e3, "us": 1e6}[unit]
    median = statistics.median(samples) * scale
    digits = 2 if median < 10 else 1
    return (f"{median:.{digits}f} {unit} (spread {min(samples) * scale:.{digits}f}–{max(samples) * scale:.{digits}f}, "
            f"n={len(samples)})")


def ratio(samples: list[float], baseline: list[float]) -> tuple[float, float, float]:
    """Median, min and max of the per-round ratios ``samples[i] / baseline[i]``."""
    ratios = [s / b for s, b in zip(samples, baseline)]
    return statistics.median(ratios), min(ratios), max(ratios)


def ratio_text(samples: list[float], baseline: list[float], target: float | None = None) -> str:
    median, low, high = ratio(samples, baseline)
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target}x: {'met' if median <= target else 'NOT MET'}"
    return f"{median:.2f}x (spread {low:.2f}–{high:.2f}){verdict}"


def report(title: str, times: dict[str, list[float]], baseline: str, targets: dict[str, float] | None = None,
           unit: str = "ms") -> None:
    """Print each case's figure and its ratio to ``baseline``."""
    print(title)
    width = max(map(len, times))
    for name, samples in times.items():
        line = f"  {name:<{width}}  {figure(samples, unit)}"
        if name != baseline:
            line += f"  ratio {ratio_text(samples, times[baseline], (targets or {}).get(name))}"
        print(line, flush=True)

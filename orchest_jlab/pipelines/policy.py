"""A step's retries, timeout and resources: orchest-jlab's settings of a step, kept in the pipeline
file under the step's ``orchest_jlab`` key (Orchest keeps keys it does not know on a step and ignores
them). Resources may also be an environment's (``orchest_jlab`` in its properties.json).

    "orchest_jlab": {"retries": 2, "retry_delay": 5, "timeout": 600, "resources": {"GPU": 1}}

The schema (``$defs/stepSettings``) checks the values; this reads them for the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STEP_SETTINGS = "orchest_jlab"


@dataclass(frozen=True)
class StepPolicy:
    """How a step runs: its retries and timeout."""
    retries: int = 0  # runs again after a failure or a timeout, at most this many times
    retry_delay: float = 0.0  # seconds between attempts
    timeout: float | None = None  # seconds one attempt may run; None: no limit

    @property
    def attempts(self) -> int:
        return self.retries + 1


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def step_policy(step: dict[str, Any]) -> StepPolicy:
    """The policy of a step definition; values the schema would refuse count as not set."""
    settings = step.get(STEP_SETTINGS)
    if not isinstance(settings, dict):
        return StepPolicy()
    retries = settings.get("retries")
    delay = _number(settings.get("retry_delay"))
    timeout = _number(settings.get("timeout"))
    return StepPolicy(
        retries=retries if isinstance(retries, int) and not isinstance(retries, bool) and retries > 0 else 0,
        retry_delay=delay if delay is not None and delay > 0 else 0.0,
        timeout=timeout if timeout is not None and timeout > 0 else None,
    )


def step_resources(step: dict[str, Any], environment: dict[str, Any] | None = None) -> dict[str, float]:
    """What the step needs of a cluster's worker (Dask resources): a GPU when its environment has
    ``gpu_support``, its environment's resources, then its own, name by name (0: not needed, e.g. a
    step of a GPU environment that uses none); amounts the schema would refuse count as not set."""
    found: dict[str, float] = {"GPU": 1.0} if (environment or {}).get("gpu_support") is True else {}
    for holder in (environment or {}, step):
        settings = holder.get(STEP_SETTINGS)
        resources = settings.get("resources") if isinstance(settings, dict) else None
        if isinstance(resources, dict):
            found.update({str(k): amount for k, v in resources.items() if (amount := _number(v)) is not None and amount >= 0})
    return {name: amount for name, amount in found.items() if amount > 0}


def format_seconds(seconds: float) -> str:
    """``12``, ``1.5``: as a user wrote them."""
    return f"{seconds:g}"

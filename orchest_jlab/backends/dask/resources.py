"""What a step needs of a worker (Dask worker resources), and whether any worker of the cluster
has it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def environment_properties(project_dir: Path, environment: str) -> dict[str, Any]:
    try:
        found = json.loads((project_dir / ".orchest" / "environments" / environment / "properties.json").read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def shown(resources: dict[str, float]) -> str:
    return ", ".join(f"{name}={amount:g}" for name, amount in sorted(resources.items()))


def no_worker_for(resources: dict[str, float], workers: dict[str, dict]) -> str | None:
    """Why no worker of the cluster can run a step that needs ``resources`` (None: one can)."""
    for info in workers.values():
        offered = info.get("resources") or {}
        if all(offered.get(name, 0) >= amount for name, amount in resources.items()):
            return None
    offers = sorted({shown(info.get("resources") or {}) or "none" for info in workers.values()})
    return (f"No worker of the cluster has the resources this step needs ({shown(resources)}); "
            f"the workers offer: {'; '.join(offers) or 'no worker is connected'}. Start workers with "
            "e.g. `dask worker --resources \"GPU=1\"`, or change the step's resources.")

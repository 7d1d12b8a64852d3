"""Running pipelines through the real engine in tests."""

from __future__ import annotations

import json
from pathlib import Path

from orchest_jlab.engine import Engine, EventBus, LocalBackend
from orchest_jlab.runs import prepare_run
from orchest_jlab.store import RunStores


def notebook(*sources: str, kernel: str = "python3") -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": source} for i, source in enumerate(sources)]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": kernel, "display_name": kernel}},
                       "nbformat": 4, "nbformat_minor": 5})


class Harness:
    """An engine with a bus, a store and a record of every event."""

    def __init__(self):
        self.bus = EventBus()
        self.events: list[dict] = []
        self.bus.subscribe(self.events.append)
        self.stores = RunStores()
        self.stores.listen(self.bus)
        self.engine = Engine(self.bus, LocalBackend())
        self.engine.numbers = self.stores.next_number

    async def run(self, path: Path, **kwargs) -> dict:
        request = prepare_run(path, **kwargs)
        run = self.engine.start(request)
        await self.engine.wait(run.uuid)
        self.stores.flush()  # the store's writer thread has written the run's last states, as readers see them
        return run.to_json()

    def states(self, record: dict) -> dict[str, str]:
        return {s["title"]: s["state"] for s in record["steps"].values()}

    def log_lines(self, run_uuid: str, step_uuid: str) -> list[str]:
        return [e["line"] for e in self.events
                if e["type"] == "log" and e["run_uuid"] == run_uuid and e["step_uuid"] == step_uuid]

    async def close(self):
        await self.engine.shutdown()
        self.stores.close()

"""Running a pipeline without a server (the ``orchest-jlab run`` command)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .engine import Engine, EventBus, RunRequest
from .environments.runtime import make_runtime
from .store import RunStores


class Progress:
    """Prints state changes and log lines as they happen, prefixed with the step's title."""

    def __init__(self, out: TextIO, titles: dict[str, str], show_logs: bool = True):
        self.out = out
        self.titles = titles
        self.width = max(map(len, titles.values()), default=0)
        self.show_logs = show_logs

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "step":
            title = self.titles.get(event["step_uuid"], event["step_uuid"])
            detail = f" ({event['error']})" if event.get("error") else ""
            self._print(f"{title:<{self.width}} : {event['state']}{detail}")
        elif kind == "log" and self.show_logs:
            title = self.titles.get(event["step_uuid"], event["step_uuid"])
            self._print(f"{title:<{self.width}} | {event['line']}")
        elif kind == "run" and event["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            self._print(f"run {event['run_uuid']}: {event['status']}" + (f" ({event['error']})" if event["error"] else ""))
        elif kind == "build" and self.show_logs and event.get("line") is not None:
            self._print(f"{'(build)':<{self.width}} | {event['line']}")
        elif kind == "run" and event.get("warnings"):
            for warning in event["warnings"]:
                self._print(f"warning: {warning}")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def run_headless(request: RunRequest, out: TextIO | None = sys.stderr, show_logs: bool = True,
                       backend: str = "auto") -> dict[str, Any]:
    """Run to the end (Ctrl-C cancels); returns the final run record. ``backend``: auto, local or
    docker (BadRequest when docker is asked for and no engine answers)."""
    bus = EventBus()
    runtime = make_runtime(bus, backend, builds=False)
    stores = RunStores()
    stores.listen(bus)
    if out is not None:
        titles = {u: request.pipeline["steps"][u].get("title") or u for u in request.steps}
        bus.subscribe(Progress(out, titles, show_logs))
    engine = Engine(bus, runtime.backend)
    run = engine.start(request)
    try:
        with cancelled_by_signals(engine.cancel, run.uuid):
            await engine.wait(run.uuid)
    finally:
        await engine.shutdown()
        stores.close()
    return run.to_json()


@contextlib.contextmanager
def cancelled_by_signals(cancel: Callable[..., Any], *args: Any) -> Iterator[None]:
    """While inside, Ctrl-C (SIGINT) and SIGTERM call ``cancel(*args)`` instead of killing us, so
    that what runs ends cleanly. Only in the main thread (elsewhere signals cannot be caught)."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, cancel, *args)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)

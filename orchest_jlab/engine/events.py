"""The event bus: every run and step state change and every log line, numbered.

Subscribers (the store, websocket clients, the CLI's progress display) are called synchronously in
the order of publication. A bounded history lets a client that reconnects with the last sequence
number it saw get what it missed.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
Subscriber = Callable[[Event], None]

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self, history: int = 20_000):
        # Sequence numbers are only meaningful within one bus: a client that saw another epoch
        # (the server restarted) must reload instead of replaying.
        self.epoch = uuid.uuid4().hex
        self._counter = itertools.count(1)
        self._history: deque[Event] = deque(maxlen=history)
        self._subscribers: list[Subscriber] = []
        self._additions: dict[str, Callable[[Event], dict[str, Any]]] = {}

    @property
    def last_seq(self) -> int:
        return self._history[-1]["seq"] if self._history else 0

    def add_fields(self, type_: str, fields: Callable[[Event], dict[str, Any]]) -> None:
        """Fields to add to every event of a type before it is published: what the publisher does
        not know (e.g. the server adds paths relative to its root)."""
        self._additions[type_] = fields

    def publish(self, type_: str, **fields: Any) -> Event:
        event = {"seq": next(self._counter), "type": type_, **fields}
        if type_ in self._additions:
            event.update(self._additions[type_](event))
        self._history.append(event)
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # one broken subscriber must not stop a run
                log.exception("event subscriber %r failed", subscriber)
        return event

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def since(self, seq: int) -> list[Event] | None:
        """Events after ``seq``; None when some of them are no longer kept (the client must reload)."""
        if seq >= self.last_seq:
            return []
        oldest = self._history[0]["seq"] if self._history else 1
        if seq + 1 < oldest:
            return None
        return [e for e in itertools.islice(self._history, seq + 1 - oldest, None)]

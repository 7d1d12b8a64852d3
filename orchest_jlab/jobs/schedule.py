"""When a job runs: now, once at a time, or on a cron expression in a time zone; and the clock.

Times are timezone-aware datetimes; stored and shown as ISO 8601 in UTC with milliseconds (the
format of run times), so that they compare as text too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_ZONE_NAME = 64  # the longest IANA name is 32 characters

from croniter import CroniterBadDateError, croniter

from ..errors import BadRequest

KINDS = ("now", "once", "cron")
CRON_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when told (tests): ``sleep`` returns once ``advance`` has passed its end."""

    def __init__(self, start: datetime):
        self._now = start
        self._sleepers: list[tuple[datetime, asyncio.Future]] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + timedelta(seconds=seconds), future))
        try:
            await future
        finally:
            self._sleepers = [(t, f) for t, f in self._sleepers if f is not future]

    def set(self, moment: datetime) -> None:
        self._now = moment
        for end, future in self._sleepers:
            if end <= moment and not future.done():
                future.set_result(None)

    def advance(self, **delta: float) -> None:
        self.set(self._now + timedelta(**delta))


@dataclass(frozen=True)
class Schedule:
    kind: str = "now"
    at: datetime | None = None  # once
    cron: str | None = None
    timezone: str = "UTC"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": iso(self.at) if self.at else None, "cron": self.cron,
                "timezone": self.timezone}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(data.get("kind", "now"), parse_iso(data.get("at")), data.get("cron"), data.get("timezone") or "UTC")

    @property
    def recurring(self) -> bool:
        return self.kind == "cron"

    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after ``moment``; None when there is none."""
        if self.kind == "once":
            return self.at if self.at and self.at > moment else None
        if self.kind != "cron":
            return None
        local = moment.astimezone(ZoneInfo(self.timezone))
        return croniter(self.cron, local).get_next(datetime).astimezone(timezone.utc)

    def due(self, first: datetime, now: datetime, limit: int = 10_000) -> tuple[int, datetime]:
        """How many fire times from ``first`` (a fire time) up to ``now`` there are, and the last one."""
        count, last = 1, first
        while count < limit:
            following = self.next_after(last)
            if following is None or following > now:
                break
            count, last = count + 1, following
        return count, last


def parse_schedule(value: Any, now: datetime) -> Schedule:
    """A schedule from the API's ``{"kind", "at", "cron", "timezone"}``, or BadRequest."""
    if value is None:
        return Schedule()
    if not isinstance(value, dict) or value.get("kind", "now") not in KINDS:
        raise BadRequest('"schedule" must be {"kind": "now"}, {"kind": "once", "at": "<ISO 8601 time>"} or '
                         '{"kind": "cron", "cron": "<expression>", "timezone": "<IANA time zone>"}.')
    kind = value.get("kind", "now")
    zone = value.get("timezone") or "UTC"
    try:
        tz = ZoneInfo(zone) if isinstance(zone, str) and len(zone) <= MAX_ZONE_NAME else None
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name no file system can hold
        tz = None
    if tz is None:
        shown = zone if not isinstance(zone, str) or len(zone) <= MAX_ZONE_NAME else zone[:MAX_ZONE_NAME] + "…"
        raise BadRequest(f'Unknown time zone {shown!r} in "schedule.timezone": use an IANA name such as '
                         '"Europe/Amsterdam" or "UTC".', [{"pointer": "/schedule/timezone"}])
    if kind == "now":
        return Schedule(timezone=zone)
    if kind == "once":
        text = value.get("at")
        try:
            at = datetime.fromisoformat(text) if isinstance(text, str) else None
        except ValueError:
            at = None
        if at is None:
            raise BadRequest(f'"at" must be a time in ISO 8601 (e.g. "2030-01-31T09:00:00+01:00"), not {text!r}.')
        at = (at if at.tzinfo else at.replace(tzinfo=tz)).astimezone(timezone.utc)
        if at <= now:
            raise BadRequest(f"The time {iso(at)} has passed (it is {iso(now)}); choose a time in the future.")
        return Schedule("once", at=at, timezone=zone)
    expression = value.get("cron")
    if not isinstance(expression, str) or not _valid_cron(expression.strip()):
        raise BadRequest(f"{expression!r} is not a valid cron expression: it needs five fields (minute hour "
                         'day-of-month month day-of-week), e.g. "*/15 * * * *" or "0 9 * * MON-FRI".')
    schedule = Schedule("cron", cron=" ".join(expression.split()), timezone=zone)
    try:
        schedule.next_after(now)
    except CroniterBadDateError:
        raise BadRequest(f"The cron expression {expression!r} never fires.") from None
    return schedule


def _valid_cron(expression: str) -> bool:
    if expression.startswith("@"):
        return expression in CRON_ALIASES
    return len(expression.split()) == 5 and croniter.is_valid(expression)

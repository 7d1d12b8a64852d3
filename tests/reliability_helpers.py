"""What the reliability tests share: the REST API of a real server, and waiting on a state with a
generous deadline (they assert on states, never on how long something took)."""

from __future__ import annotations

import asyncio
import json
import time

DEADLINE = 60.0


async def api(jp_fetch, method, *parts, body=None):
    response = await jp_fetch("orchest", "api", *parts, method=method, body=None if body is None else json.dumps(body))
    return json.loads(response.body)


async def until(check, message: str, deadline: float = DEADLINE, step: float = 0.1):
    """Until the coroutine function ``check`` returns something true (returned)."""
    end = time.monotonic() + deadline
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {message}")
        await asyncio.sleep(step)

"""Interactive sessions through the REST API: interactive runs need their pipeline's session running."""

from __future__ import annotations

import asyncio
import json


async def session_of(jp_fetch, pipeline: str) -> dict:
    response = await jp_fetch("orchest", "api", "sessions", pipeline)
    return json.loads(response.body)


async def start_session(jp_fetch, pipeline: str = "p.orchest", timeout: float = 300.0) -> dict:
    """Start the pipeline's session and wait until it is RUNNING (it may build images first)."""
    response = await jp_fetch("orchest", "api", "sessions", method="POST", body=json.dumps({"pipeline": pipeline}))
    assert response.code == 202
    session = json.loads(response.body)
    for _ in range(int(timeout / 0.1)):
        if session["status"] != "LAUNCHING":
            break
        await asyncio.sleep(0.1)
        session = await session_of(jp_fetch, pipeline)
    assert session["status"] == "RUNNING", session
    return session


async def stop_session(jp_fetch, pipeline: str = "p.orchest") -> dict:
    response = await jp_fetch("orchest", "api", "sessions", pipeline, method="DELETE")
    assert response.code == 202
    return json.loads(response.body)

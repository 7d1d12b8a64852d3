"""Builds on a machine that only runs steps (a Dask worker): an environment's image made in this
machine's Docker engine by the server's recipe (``builds.py``: the same tag, build hash and setup
script run), but with no build record in the project (the project here is a worker's copy) and
one build at a time per image, however many steps of the environment start together.
"""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from pathlib import Path
from typing import Callable

from ..docker import LABEL, StepImage
from ..engine.events import EventBus
from .builds import Builder, _step_image
from .files import read_environment
from .images import Build, BuildError, BuildLog, image_tag


class WorkerBuilder(Builder):
    """The images of this machine. Its methods run on one event loop (the caller's choice)."""

    def __init__(self, *, aliases: dict[str, str], ca_bundle: str | None, network: str = "host"):
        super().__init__(EventBus(history=1), aliases=aliases, ca_bundle=ca_bundle, network=network, pull=False)
        self._building: dict[str, asyncio.Lock] = {}

    async def image_here(self, owner: Path, source_dir: Path, env_uuid: str, log_folder: Path,
                         on_text: Callable[[str], None]) -> tuple[StepImage, bool]:
        """(The image of ``owner``'s environment, whether it was built now): built from the
        environment's files in ``source_dir`` (a copy of ``owner``'s project) when missing or stale.
        BuildError when it cannot be (its base image is not here, the setup script failed)."""
        env = read_environment(source_dir, env_uuid)
        tag = image_tag(owner, env_uuid)
        async with self._building.setdefault(tag, asyncio.Lock()):  # a second step waits, then finds it
            resolved, base, digest, tagged = await asyncio.to_thread(self._current, owner, env)
            if tagged is not None and tagged.labels.get(f"{LABEL}.build-hash") == digest:
                return _step_image(tag, env), False
            log_folder.mkdir(parents=True, exist_ok=True)
            build = Build(uuid=str(uuidlib.uuid4()), project_dir=str(owner), environment_uuid=env_uuid,
                          environment_name=env.name, image=tag, base_image=env.base_image,
                          resolved_base_image=resolved, build_hash=digest)
            build.log_path = str(log_folder / f"{build.uuid}.log")
            build_log = BuildLog(build, lambda line: on_text(line + "\n"))
            try:
                on_text(f'Building environment "{env.name}" from {resolved} into {tag} on this worker\n')
                await self._build(build, env, base, digest, source_dir, build_log)
            finally:
                build_log.close()
            return _step_image(tag, env), True


__all__ = ["BuildError", "WorkerBuilder"]

"""Builds: an environment's image, made from its base image and its setup script through the docker SDK.

A build runs the setup script in a container of the base image, then commits the container:

* the project folder is mounted read-only at ``/project-dir`` and is the working folder (as in
  Orchest, so ``pip install -r requirements.txt`` works);
* the network is the host's (``network_mode="host"``, configurable), with the host's CA bundle
  mounted and pointed to by ``PIP_CERT``/``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE``, for the build
  only (nothing of it stays in the image);
* for a Python environment whose image lacks ``ipykernel`` after the script, it is pip-installed;
  the step SDK is never baked in (the backend mounts it).

The image is tagged ``orchest-jlab/<project folder name>-<hash of its path>:<environment uuid>`` and
labelled (``orchest-jlab.kind=environment-image``, ``.project``, ``.environment``,
``.build-hash``, ``.base-image``), so a project finds and cleans its own images. The build hash
covers the base image's id, the setup script and the language: a build whose hash matches the
tagged image's is skipped. Base images go through an alias map first (Orchest's
``orchest/base-kernel-py`` → the local debootstrap image by default); a missing one is a clear
error naming it.

Status: PENDING → BUILDING → SUCCESS | FAILURE | ABORTED. Each change and each log line is an event
``{"type": "build", ...}`` on the bus; the log is kept in ``.orchest/builds/<env uuid>/<build>.log``
and the last build's record in ``.orchest/builds/<env uuid>/latest.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import uuid as uuidlib
from pathlib import Path
from typing import Any, Callable

from ..docker import LABEL, StepImage, docker_client, run_container
from ..engine.events import EventBus
from ..engine.run import now
from ..engine.runners import StepFailed
from ..engine.states import FINISHED_STATUSES
from ..errors import NotFound, OrchestError
from ..identity import ProcessIdentity
from ..pipelines.document import write_text_atomic
from ..pipelines.gitignore import ensure_gitignore
from .files import EnvironmentFiles, read_environment
from .images import (
    BUILD_MOUNT,
    BUILD_SCRIPT,
    DEFAULT_ALIASES,
    KEEP_LOGS,
    recipe_version,
    Build,
    BuildError,
    BuildLog,
    builds_dir,
    failure_message,
    image_tag,
    source_hash,
)

log = logging.getLogger(__name__)


def _step_image(image: str, env: EnvironmentFiles) -> StepImage:
    """What a step or kernel container of the environment is made from."""
    return StepImage(image, network=env.network,
                     gpu=bool(env.properties.get("gpu_support", False)), language=env.language)

class Builder:
    def __init__(self, bus: EventBus, *, aliases: dict[str, str] | None = None, ca_bundle: str | None = None,
                 network: str = "host", pull: bool = False, client_factory: Callable[[], Any] = docker_client):
        self.bus = bus
        self.aliases = DEFAULT_ALIASES if aliases is None else aliases
        self.ca_bundle = ca_bundle
        self.network = network
        self.pull = pull
        self.client_factory = client_factory
        self._client = None
        self._active: dict[tuple[Path, str], tuple[Build, asyncio.Task]] = {}
        self._locks: dict[tuple[Path, str], asyncio.Lock] = {}

    @property
    def client(self):
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    # --- records ----------------------------------------------------------------------------------

    def active(self, project_dir: Path, env_uuid: str) -> bool:
        return (project_dir, env_uuid) in self._active

    def latest(self, project_dir: Path, env_uuid: str) -> dict[str, Any] | None:
        active = self._active.get((project_dir, env_uuid))
        if active is not None:
            return active[0].to_json()
        try:
            record = json.loads((builds_dir(project_dir, env_uuid) / "latest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        owner = ProcessIdentity(record.get("pid") or 0, record.get("pid_started") or 0.0)
        if record.get("status") not in FINISHED_STATUSES and (owner.pid == os.getpid() or not owner.alive()):
            record.update(status="ABORTED", error="The process running the build stopped before it ended.")
        return record

    def log(self, project_dir: Path, env_uuid: str) -> str | None:
        record = self.latest(project_dir, env_uuid)
        if not record or not record.get("log_path"):
            return None
        with contextlib.suppress(OSError):
            return Path(record["log_path"]).read_text(encoding="utf-8", errors="replace")
        return None

    def _save(self, build: Build) -> None:
        folder = Path(build.log_path).parent
        write_text_atomic(folder / "latest.json", json.dumps(build.to_json(), indent=2) + "\n")

    def _publish(self, current: Build, **fields: Any) -> None:
        self.bus.publish("build", build_uuid=current.uuid, environment_uuid=current.environment_uuid,
                         project_dir=current.project_dir, status=current.status, **fields)

    def _set(self, build: Build, status: str, **fields: Any) -> None:
        build.status = status
        for key, value in fields.items():
            setattr(build, key, value)
        self._save(build)
        self._publish(build, build=build.to_json())

    # --- starting and cancelling ------------------------------------------------------------------

    def start(self, project_dir: Path, env_uuid: str, *, source_dir: Path | None = None, force: bool = False,
              note: Callable[[str], None] | None = None) -> dict[str, Any]:
        """Start a build in the background (or return the one in progress)."""
        return self._start(project_dir, env_uuid, source_dir or project_dir, force, note)[0].to_json()

    def _start(self, project_dir, env_uuid, source_dir, force, note) -> tuple[Build, asyncio.Task]:
        key = (project_dir, env_uuid)
        if key in self._active:
            return self._active[key]
        env = read_environment(source_dir, env_uuid)
        folder = builds_dir(project_dir, env_uuid)
        ensure_gitignore(project_dir)
        folder.mkdir(parents=True, exist_ok=True)
        me = ProcessIdentity.current()
        build = Build(uuid=str(uuidlib.uuid4()), project_dir=str(project_dir), environment_uuid=env_uuid,
                      environment_name=env.name, image=image_tag(project_dir, env_uuid), base_image=env.base_image,
                      source_hash=source_hash(env.base_image, env.setup_script, env.language),
                      requested=now(), pid=me.pid, pid_started=me.started)
        build.log_path = str(folder / f"{build.uuid}.log")
        self._set(build, "PENDING")
        task = asyncio.ensure_future(self._execute(build, env, force, note))
        self._active[key] = (build, task)
        task.add_done_callback(lambda _: self._active.pop(key, None))
        return build, task

    def cancel(self, project_dir: Path, env_uuid: str) -> dict[str, Any] | None:
        active = self._active.get((project_dir, env_uuid))
        if active is None:
            return None
        active[1].cancel()
        return active[0].to_json()

    async def wait(self, project_dir: Path, env_uuid: str) -> dict[str, Any] | None:
        active = self._active.get((project_dir, env_uuid))
        if active is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(active[1])
        return self.latest(project_dir, env_uuid)

    async def close(self) -> None:
        tasks = [task for _, task in self._active.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    # --- the build --------------------------------------------------------------------------------

    def resolve_base(self, base_image: str | None) -> str:
        if not base_image:
            raise BuildError("The environment has no base_image.")
        name = base_image.split("@")[0]
        untagged = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
        return self.aliases.get(base_image) or self.aliases.get(untagged) or base_image

    def unobtainable(self, project_dir: Path, env_uuid: str) -> str | None:
        """Why the environment's image cannot be had here, or None when its base image is in the
        Docker engine (or may be pulled). Blocking; never pulls nor builds."""
        import docker.errors

        try:
            env = read_environment(project_dir, env_uuid)
            resolved = self.resolve_base(env.base_image)
        except (OrchestError, BuildError) as exc:
            return f'the environment "{env_uuid}" cannot be used: {getattr(exc, "message", exc)}'
        if self.pull:
            return None
        try:
            self.client.images.get(resolved)
            return None
        except docker.errors.ImageNotFound:
            via = f' (the alias of "{env.base_image}")' if resolved != env.base_image else ""
            return (f'the base image "{resolved}"{via} of environment "{env.name}" is not available in the Docker '
                    "engine (build or load it, or map the name to an image that is here with "
                    "c.OrchestApp.base_image_aliases)")
        except Exception as exc:
            return f"the Docker engine did not answer ({type(exc).__name__}: {exc})"

    def _base_image(self, base_image: str | None):
        """The base image object (blocking). Raises BuildError naming it when it is not here."""
        import docker.errors

        resolved = self.resolve_base(base_image)
        via = f' (the alias of "{base_image}")' if resolved != base_image else ""
        try:
            return resolved, self.client.images.get(resolved)
        except docker.errors.ImageNotFound:
            pass
        if self.pull:
            try:
                return resolved, self.client.images.pull(resolved)
            except docker.errors.APIError as exc:
                raise BuildError(f'The base image "{resolved}"{via} is not here and could not be pulled: '
                                 f"{exc.explanation or exc}") from None
        raise BuildError(f'The base image "{resolved}"{via} is not available in the Docker engine. Build or load it '
                         "(.ci/docker-setup.sh builds the default one), or map the name to an image that is here "
                         "with c.OrchestApp.base_image_aliases.")

    def _current(self, project_dir: Path, env: EnvironmentFiles) -> tuple[str, Any, str, Any]:
        """(resolved base name, base image, build hash, the tagged image or None) — blocking."""
        import docker.errors

        resolved, base = self._base_image(env.base_image)
        digest = hashlib.sha256(json.dumps(
            [recipe_version(env.language), base.id, env.setup_script, env.language]).encode()).hexdigest()
        try:
            tagged = self.client.images.get(image_tag(project_dir, env.uuid))
        except docker.errors.ImageNotFound:
            tagged = None
        return resolved, base, digest, tagged

    def _up_to_date(self, project_dir: Path, env: EnvironmentFiles) -> bool:
        """Whether the tagged image matches the base image and setup script (blocking; BuildError
        when the base image is not here)."""
        _, _, digest, tagged = self._current(project_dir, env)
        return tagged is not None and tagged.labels.get(f"{LABEL}.build-hash") == digest

    def up_to_date(self, project_dir: Path, env_uuid: str) -> bool:
        """Whether the environment has an image that needs no build (blocking): False when it is
        missing or stale, or when its base image is not here (a build then says why)."""
        try:
            return self._up_to_date(project_dir, read_environment(project_dir, env_uuid))
        except BuildError:
            return False

    async def _execute(self, build: Build, env: EnvironmentFiles, force: bool, note) -> None:
        build_log = BuildLog(build, lambda **f: self._publish(build, **f))
        project_dir = Path(build.project_dir)
        source_dir = env.folder.parents[2]
        say = build_log.note if note is None else (lambda text: (build_log.note(text), note(text)))
        try:
            try:
                resolved, base, digest, tagged = await asyncio.to_thread(self._current, project_dir, env)
            except BuildError:
                raise
            except Exception as exc:
                raise BuildError(f"Docker is not reachable: {type(exc).__name__}: {exc}") from None
            build.resolved_base_image, build.build_hash = resolved, digest
            if tagged is not None and tagged.labels.get(f"{LABEL}.build-hash") == digest and not force:
                say(f"{build.image} is up to date (same base image and setup script); nothing to build.")
                self._set(build, "SUCCESS", skipped=True, started=now(), finished=now())
                return
            say(f'Building environment "{env.name}" from {resolved} into {build.image}')
            self._set(build, "BUILDING", started=now())
            await self._build(build, env, base, digest, source_dir, build_log)
            self._set(build, "SUCCESS", finished=now())
            say(f"Built {build.image}.")
        except asyncio.CancelledError:
            build_log.note("The build was cancelled.")
            self._set(build, "ABORTED", finished=now(), error="The build was cancelled.")
        except BuildError as exc:
            say(str(exc))
            self._set(build, "FAILURE", finished=now(), error=str(exc))
        except Exception as exc:
            log.exception("build of %s", build.image)
            build_log.note(f"{type(exc).__name__}: {exc}")
            self._set(build, "FAILURE", finished=now(), error=f"{type(exc).__name__}: {exc}")
        finally:
            build_log.close()
            self._prune_logs(Path(build.log_path).parent)

    async def _build(self, build: Build, env: EnvironmentFiles, base, digest: str, source_dir: Path,
                     build_log: BuildLog) -> None:
        labels = {f"{LABEL}.kind": "environment-image", f"{LABEL}.project": build.project_dir,
                  f"{LABEL}.environment": env.uuid, f"{LABEL}.build-hash": digest,
                  f"{LABEL}.base-image": build.resolved_base_image or ""}
        from docker.types import Mount

        config = base.attrs.get("Config") or {}
        with tempfile.TemporaryDirectory(prefix="orchest-build-") as tmp:
            script = Path(tmp) / "setup_script.sh"
            script.write_text(env.setup_script, encoding="utf-8")
            if self.ca_bundle and os.path.isfile(self.ca_bundle):  # a copy in the mounted folder, not in the image
                shutil.copyfile(self.ca_bundle, Path(tmp) / "ca-certificates.crt")
            # Mounts (not volumes) and no working folder or user on the container: a commit copies
            # the container's settings into the image wherever the image's own are empty.
            mounts = [Mount(BUILD_MOUNT, tmp, type="bind", read_only=True),
                      Mount("/project-dir", str(source_dir), type="bind", read_only=True)]
            options = dict(image=base.id, entrypoint=["/bin/sh", "-c"], command=[BUILD_SCRIPT, "sh", env.language],
                           mounts=mounts, network_mode=self.network, labels={**labels, f"{LABEL}.kind": "build"})
            image_conf = {"Labels": labels, "Cmd": config.get("Cmd") or ["/bin/sh"],
                          "Entrypoint": config.get("Entrypoint") or [], "WorkingDir": config.get("WorkingDir") or "/",
                          "Env": config.get("Env") or [], "User": config.get("User") or "", "Volumes": config.get("Volumes")}
            previous = []

            def commit(container, code: int) -> None:
                if code != 0:
                    return
                with contextlib.suppress(Exception):
                    previous.append(self.client.images.get(build.image).id)
                repository, tag = build.image.rsplit(":", 1)
                container.commit(repository=repository, tag=tag, conf=image_conf,
                                 message=f"orchest-jlab environment {env.uuid}")

            code = await run_container(self.client, options, build_log.write, after=commit)
        if code != 0:
            raise BuildError(failure_message(code, build.resolved_base_image or ""))
        for old in previous:  # the image this build replaced, unless something still uses it
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.client.images.remove, old)

    def _prune_logs(self, folder: Path) -> None:
        logs = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime)
        for old in logs[:-KEEP_LOGS]:
            with contextlib.suppress(OSError):
                old.unlink()

    # --- for runs and kernels ---------------------------------------------------------------------

    async def image_for(self, project_dir: Path, env_uuid: str, note: Callable[[str], None],
                        owner: Path | None = None) -> StepImage:
        """The environment's image, built first when missing or out of date (the docker backend's
        ImageResolver). ``project_dir`` holds the definition (a project, or a run's snapshot of
        ``owner``); images belong to ``owner``."""
        owner = owner or project_dir
        try:
            env = read_environment(project_dir, env_uuid)
        except NotFound:
            raise StepFailed(f'The environment "{env_uuid}" is not defined in the project '
                             f"(.orchest/environments/{env_uuid}/properties.json).") from None
        key = (owner, env_uuid)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._active:
                try:
                    current = await asyncio.to_thread(self._up_to_date, owner, env)
                except BuildError as exc:
                    raise StepFailed(f'Environment "{env.name}": {exc}') from None
                if current:
                    return _step_image(image_tag(owner, env_uuid), env)
                note(f'Environment "{env.name}" has no up-to-date image: building it first.')
            build, task = self._start(owner, env_uuid, project_dir, False, None)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)
        if build.status != "SUCCESS":
            raise StepFailed(f'Environment "{env.name}" could not be built: {build.error} (log: {build.log_path})')
        return _step_image(build.image, env)

    def forget(self, project_dir: Path, env_uuid: str) -> None:
        """After an environment is deleted: its build records and its image."""
        shutil.rmtree(builds_dir(project_dir, env_uuid), ignore_errors=True)
        with contextlib.suppress(Exception):
            self.client.images.remove(image_tag(project_dir, env_uuid))

    def remove_images(self, project_dir: Path) -> list[str]:
        """Remove every environment image of the project (blocking); returns their tags."""
        removed = []
        for image in self.client.images.list(filters={"label": [f"{LABEL}.project={project_dir}"]}):
            with contextlib.suppress(Exception):
                self.client.images.remove(image.id, force=True)
                removed.extend(image.tags)
        return removed

    def prune_images(self) -> list[str]:
        """Remove the environment images whose project folder no longer exists (blocking)."""
        removed = []
        for image in self.client.images.list(filters={"label": [f"{LABEL}.kind=environment-image"]}):
            project = image.labels.get(f"{LABEL}.project")
            if project and not Path(project).is_dir():
                with contextlib.suppress(Exception):
                    self.client.images.remove(image.id, force=True)
                    removed.extend(image.tags or [image.id])
        return removed

"""Kernelspecs ``orchest-kernel-<environment uuid>``: one per Python environment of the projects
under the server's root, written to a folder the server's kernel spec manager searches, so that a
step's notebook opens with the kernel Orchest wrote into its metadata. Each names the
``orchest-docker`` provisioner, which starts the kernel in the environment's image.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec

from ..environments.files import kernel_name, list_environment_files
from ..pipelines import discover_pipelines, find_project_root
from .provisioner import PROVISIONER_NAME

KERNEL_ARGV = ("python3", "-m", "ipykernel_launcher", "-f", "{connection_file}")
PREFIX = "orchest-kernel-"

__all__ = ["KERNEL_ARGV", "kernel_name", "kernel_spec", "project_environments", "sync_kernelspecs"]


def spec_json(env_uuid: str, display_name: str, config: dict | None = None) -> dict:
    return {
        "argv": list(KERNEL_ARGV), "display_name": display_name, "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME,
                                            "config": {"environment_uuid": env_uuid, **(config or {})}},
                     "orchest": {"environment_uuid": env_uuid}},
    }


def kernel_spec(env_uuid: str, display_name: str, config: dict | None = None) -> KernelSpec:
    return KernelSpec(**spec_json(env_uuid, display_name, config))


def project_environments(root: Path, skip_dirs: Iterable[str] = ()) -> dict[str, str]:
    """{environment uuid: display name} of the Python environments of every project under root."""
    projects = {root}
    for relative in discover_pipelines(root, skip_dirs):
        projects.add(find_project_root(root / relative, root))
    found: dict[str, str] = {}
    for project in sorted(projects):
        for env in list_environment_files(project):
            if env.language == "python":
                found.setdefault(env.uuid, f"{env.name} (environment)")
    return found


def sync_kernelspecs(folder: Path, environments: dict[str, str]) -> None:
    """Make ``folder`` hold exactly the kernelspecs of ``environments`` ({uuid: display name})."""
    folder.mkdir(parents=True, exist_ok=True)
    for existing in folder.glob(f"{PREFIX}*"):
        if existing.name.removeprefix(PREFIX) not in environments:
            shutil.rmtree(existing, ignore_errors=True)
    for env_uuid, display_name in environments.items():
        target = folder / kernel_name(env_uuid) / "kernel.json"
        text = json.dumps(spec_json(env_uuid, display_name), indent=1) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


class KernelspecSync:
    """Keeps the kernelspec folder in step with the environments under the server's root; called
    at start and after each change made through the environments service."""

    def __init__(self, folder: Path, root: Path, skip_dirs: Iterable[str] = ()):
        self.folder = folder
        self.root = root
        self.skip_dirs = frozenset(skip_dirs)

    def __call__(self) -> None:
        try:
            sync_kernelspecs(self.folder, project_environments(self.root, self.skip_dirs))
        except OSError as exc:  # a read-only data folder must not break the API
            import logging

            logging.getLogger(__name__).warning("could not write environment kernelspecs: %s", exc)

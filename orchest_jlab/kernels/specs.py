"""Kernelspecs ``orchest-kernel-<environment uuid>``: one per Python, R or JavaScript environment of
the projects under the server's root, written to a folder the server's kernel spec manager searches, so that a
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
from .provisioner import PROVISIONER_NAME, ensure_registered, set_image_resolver

KERNEL_ARGV = ("python3", "-m", "ipykernel_launcher", "-f", "{connection_file}")
# The kernel each environment language gets, as (command, the kernel's language name). The image
# build makes sure the kernel is there (ipykernel, IRkernel, Deno). Julia gets none: see
# docs/environments.md.
KERNELS = {
    "python": (KERNEL_ARGV, "python"),
    "r": (("R", "--slave", "-e", "IRkernel::main()", "--args", "{connection_file}"), "R"),
    "javascript": (("deno", "jupyter", "--kernel", "--conn", "{connection_file}"), "javascript"),
}
PREFIX = "orchest-kernel-"

__all__ = ["KERNELS", "KERNEL_ARGV", "kernel_name", "kernel_spec", "project_environments", "serve_environment_kernels",
           "sync_kernelspecs"]


def spec_json(env_uuid: str, display_name: str, config: dict | None = None, language: str = "python") -> dict:
    argv, kernel_language = KERNELS[language]
    return {
        "argv": list(argv), "display_name": display_name, "language": kernel_language,
        "interrupt_mode": "signal",
        "metadata": {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME,
                                            "config": {"environment_uuid": env_uuid, **(config or {})}},
                     "orchest": {"environment_uuid": env_uuid}},
    }


def kernel_spec(env_uuid: str, display_name: str, config: dict | None = None, language: str = "python") -> KernelSpec:
    return KernelSpec(**spec_json(env_uuid, display_name, config, language))


def display_name(env_name: str, project: Path) -> str:
    """What the launcher and the kernel picker show: which environment, of which project (an
    environment's name alone, often "Python 3", reads like any Python kernel)."""
    return f"{env_name} · Orchest environment ({project.name})" if project.name else f"{env_name} · Orchest environment"


def project_environments(root: Path, skip_dirs: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
    """{environment uuid: (display name, language)} of the environments with a kernel (Python, R,
    JavaScript) of every project under root."""
    projects = {root}
    for relative in discover_pipelines(root, skip_dirs):
        projects.add(find_project_root(root / relative, root))
    found: dict[str, tuple[str, str]] = {}
    for project in sorted(projects):
        for env in list_environment_files(project):
            if env.language in KERNELS:
                found.setdefault(env.uuid, (display_name(env.name, project), env.language))
    return found


def sync_kernelspecs(folder: Path, environments: dict[str, tuple[str, str]]) -> None:
    """Make ``folder`` hold exactly the kernelspecs of ``environments`` ({uuid: (display name,
    language)})."""
    folder.mkdir(parents=True, exist_ok=True)
    for existing in folder.glob(f"{PREFIX}*"):
        if existing.name.removeprefix(PREFIX) not in environments:
            shutil.rmtree(existing, ignore_errors=True)
    for env_uuid, (display_name, language) in environments.items():
        target = folder / kernel_name(env_uuid) / "kernel.json"
        text = json.dumps(spec_json(env_uuid, display_name, language=language), indent=1) + "\n"
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


def serve_environment_kernels(kernel_spec_manager, image_for, container_settings, workspace) -> KernelspecSync:
    """Serve a kernelspec ``orchest-kernel-<uuid>`` per Python, R or JavaScript environment under the
    workspace's root from a folder added to the server's kernel spec manager (only the server's: the local
    backend's runs keep using host kernels), and let the provisioner build and find their images
    (``image_for``). Returns the refresher of that folder."""
    import atexit
    import tempfile

    ensure_registered()
    set_image_resolver(image_for, container_settings)
    folder = Path(tempfile.mkdtemp(prefix="orchest-kernels-"))
    atexit.register(shutil.rmtree, folder, True)
    sync = KernelspecSync(folder, workspace.root, workspace.skip_dirs)
    sync()
    if str(folder) not in kernel_spec_manager.kernel_dirs:
        kernel_spec_manager.kernel_dirs.append(str(folder))
    return sync

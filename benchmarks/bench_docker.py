"""Speed of the docker backend, as ratios against baselines measured in the same run.

1. container step overhead: a 20-step chain of trivial ``.sh`` steps on the docker backend vs 20
   bare containers of the same image (the environment's), one after another, through the Docker
   API as the engine uses it (target: at most 1.3x);
2. kernel start: an ``orchest-kernel-<uuid>`` kernel started in a container (the provisioner) until
   it answers, vs the host's ``python3`` kernel (reported, no target).

Every figure: median of alternating rounds, with its spread (``timing.py``).

Needs a Docker engine and the base image of .ci/docker-setup.sh. Run:
``python benchmarks/bench_docker.py [--quick] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import ROUNDS, alternate, report  # noqa: E402

from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from orchest_jlab.docker import StepImage, engine_unavailable  # noqa: E402
from orchest_jlab.environments.files import create_environment  # noqa: E402
from orchest_jlab.runs import prepare_run  # noqa: E402
from orchest_jlab.services import Services  # noqa: E402
from orchest_jlab.settings import OrchestSettings  # noqa: E402
from tests.conftest import ProjectBuilder  # noqa: E402


class Chain:
    """A ``count``-step chain of trivial ``.sh`` steps on the docker backend, its image built once."""

    def __init__(self, folder: Path, count: int):
        project = ProjectBuilder(folder / "chain")
        self.env = create_environment(project.root, {"setup_script": "true\n"}).uuid
        project.file("s.sh", "true\n")
        steps, previous = [], []
        for i in range(count):
            steps.append(project.step(f"s{i}", "s.sh", self.env, incoming=previous))
            previous = [steps[-1]["uuid"]]
        self.path = project.write("c.orchest", project.pipeline(*steps))
        self.project = project.root
        self.settings = OrchestSettings(backend="docker", docker_data_dir=str(folder / "data"), build_network="none")

    async def build(self) -> str:
        services = Services(self.settings, self.project)
        image = await services.builder.image_for(self.project, self.env, lambda _: None)
        await services.close()
        return image.image

    async def run(self) -> float:
        services = Services(self.settings, self.project)
        engine = services.engine
        start = time.perf_counter()
        run = engine.start(prepare_run(self.path))
        await engine.wait(run.uuid)
        elapsed = time.perf_counter() - start
        assert run.status.value == "SUCCESS", run.to_json()
        await services.close()
        return elapsed


def bare_runs(client, image: str, count: int) -> float:
    """``count`` containers of the same image one after another through the Docker API (the SDK the
    engine uses, not the ``docker`` CLI, whose own start is about 24 ms): create, start, wait, remove."""
    start = time.perf_counter()
    for _ in range(count):
        container = client.containers.create(image, ["true"], network_mode="none")
        container.start()
        assert container.wait()["StatusCode"] == 0
        container.remove(force=True)
    return time.perf_counter() - start


def kernel_start(folder: Path, rounds: int) -> dict[str, list[float]]:
    from orchest_jlab.environments import LOCAL_BASE_IMAGE
    from orchest_jlab.kernels.provisioner import ensure_registered
    from orchest_jlab.kernels.specs import kernel_spec

    ensure_registered()

    async def once(manager: AsyncKernelManager) -> float:
        start = time.perf_counter()
        await manager.start_kernel(cwd=str(folder))
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        elapsed = time.perf_counter() - start
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        return elapsed

    def container() -> AsyncKernelManager:
        manager = AsyncKernelManager(kernel_name="orchest-kernel-bench")
        manager._kernel_spec = kernel_spec("bench", "bench", {
            "image": StepImage(LOCAL_BASE_IMAGE).image, "project_dir": str(folder),
            "container_settings": {"data_dir": None}})
        return manager

    return alternate({
        "host python3 kernel": lambda: asyncio.run(once(AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=str(folder / "host-kernel")))),
        "orchest-kernel-<uuid> in a container": lambda: asyncio.run(once(container())),
    }, rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="an 8-step chain instead of 20")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="alternating rounds (at least 5)")
    args = parser.parse_args()
    problem = engine_unavailable()
    if problem:
        print(f"skipped: {problem}")
        return
    from orchest_jlab.docker import docker_client

    count = 8 if args.quick else 20
    client = docker_client()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chain = Chain(folder, count)
        image = asyncio.run(chain.build())
        try:
            bare = f"{count} bare containers of the same image (Docker API)"
            report(f"{count}-step chain of trivial .sh steps in containers", alternate({
                bare: lambda: bare_runs(client, image, count),
                "engine run (docker backend)": lambda: asyncio.run(chain.run()),
            }, args.rounds), bare, {"engine run (docker backend)": 1.3}, unit="s")
        finally:
            client.images.remove(image, force=True)
        report("kernel start until ready", kernel_start(folder, args.rounds), "host python3 kernel", unit="s")


if __name__ == "__main__":
    main()

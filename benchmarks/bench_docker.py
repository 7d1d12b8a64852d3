"""Speed of the docker backend, as ratios against baselines measured in the same run.

1. container step overhead: a 20-step chain of trivial ``.sh`` steps on the docker backend vs 20
   bare ``docker run --rm IMAGE true`` one after another (target: at most 1.3x);
2. kernel start: an ``orchest-kernel-<uuid>`` kernel started in a container (the provisioner) until
   it answers, vs the host's ``python3`` kernel (reported, no target).

Needs a Docker engine and the base image of .ci/docker-setup.sh. Run:
``python benchmarks/bench_docker.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from orchest_jlab.docker import StepImage, engine_unavailable  # noqa: E402
from orchest_jlab.environments.files import create_environment  # noqa: E402
from orchest_jlab.runs import prepare_run  # noqa: E402
from orchest_jlab.services import Services  # noqa: E402
from orchest_jlab.settings import OrchestSettings  # noqa: E402
from tests.conftest import ProjectBuilder  # noqa: E402


async def chain(folder: Path, count: int) -> tuple[float, str]:
    project = ProjectBuilder(folder / "chain")
    env = create_environment(project.root, {"setup_script": "true\n"}).uuid
    project.file("s.sh", "true\n")
    steps, previous = [], []
    for i in range(count):
        steps.append(project.step(f"s{i}", "s.sh", env, incoming=previous))
        previous = [steps[-1]["uuid"]]
    path = project.write("c.orchest", project.pipeline(*steps))
    services = Services(OrchestSettings(backend="docker", docker_data_dir=str(folder / "data"), build_network="none"),
                        project.root)
    engine, builder = services.engine, services.builder
    image = await builder.image_for(project.root, env, lambda _: None)  # built before timing
    start = time.perf_counter()
    run = engine.start(prepare_run(path))
    await engine.wait(run.uuid)
    elapsed = time.perf_counter() - start
    assert run.status.value == "SUCCESS", run.to_json()
    builder.client.images.remove(image.image, force=True)
    await services.close()
    return elapsed, image.image


def bare_runs(image: str, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"], check=True)
    return time.perf_counter() - start


async def kernel_start(folder: Path, tries: int) -> tuple[float, float]:
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

    container, host = [], []
    for _ in range(tries):
        manager = AsyncKernelManager(kernel_name="orchest-kernel-bench")
        manager._kernel_spec = kernel_spec("bench", "bench", {
            "image": StepImage(LOCAL_BASE_IMAGE).image, "project_dir": str(folder),
            "container_settings": {"data_dir": None}})
        container.append(await once(manager))
        host.append(await once(AsyncKernelManager(kernel_name="python3", transport="ipc",
                                                  ip=str(folder / "host-kernel"))))
    return min(container), min(host)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    problem = engine_unavailable()
    if problem:
        print(f"skipped: {problem}")
        return
    count = 8 if args.quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare_runs("orchest-jlab/base-py:bookworm", 2)  # warm up
        elapsed, image = await chain(folder, count)
        # The image is removed after the chain; the bare runs use the base image (same layers).
        baseline = bare_runs("orchest-jlab/base-py:bookworm", count)
        print(f"{count}-step chain of trivial .sh steps in containers: {elapsed:.2f} s; "
              f"{count} bare `docker run --rm IMAGE true`: {baseline:.2f} s; ratio {elapsed / baseline:.2f}x (target <= 1.3x)")
        container, host = await kernel_start(folder, 2 if args.quick else 3)
        print(f"kernel start until ready: in a container {container:.2f} s, on the host {host:.2f} s "
              f"({container / host:.1f}x)")


if __name__ == "__main__":
    asyncio.run(main())

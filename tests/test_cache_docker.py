"""The step cache on the docker backend: a step's key has its image's id, so rebuilding one
environment runs its steps again, and only them."""

from __future__ import annotations

import pytest

from orchest_jlab.environments.files import create_environment, update_environment

from .test_cache import cached
from .test_docker import client, docker_env, ours  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("needs_docker")

COUNT = "open('{title}.count', 'a').write('x')\n"


async def test_an_environment_rebuild_runs_its_steps_again(docker_env, project):  # noqa: F811
    first_env = create_environment(project.root, {"name": "One"}).uuid
    second_env = create_environment(project.root, {"name": "Two"}).uuid
    for title in "AB":
        project.file(f"{title.lower()}.py", COUNT.format(title=title))
    a = project.step("A", "a.py", first_env)
    b = project.step("B", "b.py", second_env)
    path = project.write("p.orchest", project.pipeline(a, b))
    first = await docker_env.run(path, cache=True)
    assert docker_env.log(first, "A") is not None and cached(first) == {"A": None, "B": None}, first
    again = await docker_env.run(path, cache=True)
    assert cached(again) == {"A": first["uuid"], "B": first["uuid"]}
    update_environment(project.root, first_env, {"setup_script": "#!/bin/bash\necho rebuilt > /rebuilt\n"})
    rebuilt = await docker_env.run(path, cache=True)  # builds One again first: a new image id
    assert cached(rebuilt) == {"A": None, "B": first["uuid"]}, rebuilt
    assert rebuilt["steps"][a["uuid"]]["cache_key"] != first["steps"][a["uuid"]]["cache_key"]
    assert (project.root / "A.count").read_text() == "xx" and (project.root / "B.count").read_text() == "x"

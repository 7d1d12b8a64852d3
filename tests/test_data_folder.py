"""``/data`` on the local backend: Orchest code writes ``/data/...``; host steps that use it find
their project's data folder there (a private mount namespace per step), or, on a machine that
cannot make one, the run is refused before it starts, naming the steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchest_jlab.docker.containers import ContainerSettings, data_folder, project_key
from orchest_jlab.engine import Engine, LocalBackend
from orchest_jlab.engine.datamount import DataFolders, mentions_no_data, uses_data
from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.errors import BadRequest
from orchest_jlab.runs import prepare_run

from .conftest import ProjectBuilder
from .engine_helpers import Harness, notebook

WRITER = "import json\nwith open('/data/x.json', 'w') as f:\n    json.dump({'from': %r}, f)\nprint('wrote')\n"
READER = ("import json, os\nprint(json.load(open('/data/x.json')))\n"
          "json.dump(sorted(os.listdir('/data')), open('/data/listing.json', 'w'))\n")


def data_project(root: Path, name: str) -> tuple[Path, dict]:
    project = ProjectBuilder(root)
    env = project.environment()
    project.file("write.py", WRITER % name)
    project.file("read.ipynb", notebook(READER))
    write = project.step("Write", "write.py", env)
    read = project.step("Read", "read.ipynb", env, incoming=[write["uuid"]])
    project.file("plain.py", "print('no data here')\n")
    plain = project.step("Plain", "plain.py", env)
    return project.write("data.orchest", project.pipeline(write, read, plain)), {"write": write, "read": read}


def harness_with(data: DataFolders) -> Harness:
    h = Harness()
    h.engine = Engine(h.bus, LocalBackend(data=data))
    return h


def test_which_steps_use_data(tmp_path):
    cases = {"a.py": "open('/data/x.json')", "b.py": 'p = "/data"', "c.py": "open('./data/x')",
             "d.py": "open('project/data/x')", "e.sh": "ls /database", "f.R": "read.csv('/data/in.csv')"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    assert {n for n in cases if uses_data(tmp_path / n)} == {"a.py", "b.py", "f.R"}
    (tmp_path / "n.ipynb").write_text(notebook("x = 1", "open('/data/y')"))
    (tmp_path / "m.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "see /data"}]}))
    assert uses_data(tmp_path / "n.ipynb") and not uses_data(tmp_path / "m.ipynb")
    # The engine's quick look (on the loop) never says "no /data" of a file that uses it: only of
    # small files without "/data" anywhere (./data too goes to uses_data); JSON's escaped slash
    # counts; big files are left to uses_data.
    (tmp_path / "escaped.ipynb").write_text(notebook("open('/data/y')").replace("/", "\\/"))
    (tmp_path / "big.py").write_text("x = 1\n" * 20_000)
    (tmp_path / "plain.py").write_text("print('data')\n")
    names = [*cases, "n.ipynb", "m.ipynb", "escaped.ipynb", "big.py", "plain.py"]
    assert {n for n in names if mentions_no_data(tmp_path / n)} == {"plain.py"}
    assert uses_data(tmp_path / "escaped.ipynb") and not uses_data(tmp_path / "big.py")


async def test_per_project_and_shared_data_folders(tmp_path, jp_asyncio_loop):
    host_had_data = os.path.exists("/data")
    for shared in (False, True):
        settings = ContainerSettings(data_dir=tmp_path / f"data-{shared}", shared_data=shared)
        folders = DataFolders(lambda project: data_folder(settings, project))
        if folders.problem() is not None:  # the refusal is tested below
            pytest.skip(f"this machine cannot make mount namespaces: {folders.problem()}")
        harness = harness_with(folders)
        try:
            for name in ("one", "two"):
                path, steps = data_project(tmp_path / f"{name}-{shared}", name)
                record = await harness.run(path)
                assert record["status"] == "SUCCESS", record
                lines = harness.log_lines(record["uuid"], steps["read"]["uuid"])
                assert lines == [str({"from": name})], lines  # the notebook's kernel sees it too
        finally:
            await harness.close()
        for name in ("one", "two"):
            project = tmp_path / f"{name}-{shared}"
            folder = settings.data_dir if shared else settings.data_dir / project_key(project)
            assert json.loads((folder / "x.json").read_text()) == {"from": "two" if shared else name}
            # Shared: the second project saw the first one's listing.
            assert json.loads((folder / "listing.json").read_text()) == (["listing.json", "x.json"] if shared else ["x.json"])
    assert os.path.exists("/data") == host_had_data  # the machine is unchanged


async def test_a_machine_without_namespaces_refuses_the_run_before_it_starts(tmp_path, jp_asyncio_loop):
    # A helper that cannot run stands for a machine that refuses the namespace (e.g. a container).
    folders = DataFolders(lambda project: tmp_path / "data", python=str(tmp_path / "no-such-python"))
    harness = harness_with(folders)
    path, _ = data_project(tmp_path / "p", "p")
    try:
        with pytest.raises(BadRequest) as refused:
            harness.engine.start(prepare_run(path))
    finally:
        await harness.close()
    message = refused.value.message
    assert message.startswith('Steps "Write", "Read" use /data (the data folder Orchest mounts in every step), '
                              "which the local backend cannot give on this machine ("), message
    assert "Plain" not in message and "--backend docker" in message
    assert not ProjectFolders().runs(tmp_path / "p").exists()  # nothing started


def test_a_host_run_of_a_project_writing_data(tmp_path):
    """The command line, as a user runs it: passes, or is refused before it starts saying why."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({"OrchestApp": {"docker_data_dir": str(tmp_path / "d")}}))
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment()
    project.file("write.py", WRITER % "cli")
    path = project.write("w.orchest", project.pipeline(project.step("Write", "write.py", env)))
    environ = {**os.environ, "JUPYTER_CONFIG_DIR": str(config)}
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", str(path), "--backend", "local", "--json"],
                          capture_output=True, text=True, env=environ, timeout=300)
    if done.returncode == 0:
        assert json.loads(done.stdout)["status"] == "SUCCESS"
        assert json.loads((tmp_path / "d" / project_key(project.root) / "x.json").read_text()) == {"from": "cli"}
    else:
        assert done.returncode == 2 and 'Step "Write" uses /data' in done.stderr, done.stderr
        assert "docker backend" in done.stderr

"""Backends as plug-ins: a backend installed by another package (entry-point group
orchest_jlab.backends) runs pipelines through `--backend NAME` and the REST API, with no change to
orchest_jlab; unknown names are refused naming the choices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orchest_jlab.backends import GROUP, BackendRegistry
from orchest_jlab.errors import BadRequest

from .conftest import ProjectBuilder
from .test_runs_api import api, api_error, finished

REPO = Path(__file__).resolve().parents[1]

# A real backend, as a third party would ship it: steps run as host processes, and each step it runs
# is written to THROWAWAY_LEDGER, so the test can see that this backend ran them.
PLUGIN = textwrap.dedent('''
    import os, sys
    from orchest_jlab.backends import Capabilities
    from orchest_jlab.engine.runners.process import run_process


    class ThrowawayBackend:
        name = "throwaway"

        async def run_step(self, ctx, log):
            with open(os.environ["THROWAWAY_LEDGER"], "a") as ledger:
                ledger.write(ctx.title + "\\n")
            log.note("run by the throwaway backend")
            await run_process(ctx, log, sys.executable)

        async def close(self):
            pass


    class Plugin:
        name = "throwaway"
        description = "Steps run as host processes, each one written down first (a test's backend)."
        where = "on the host, written down"
        capabilities = Capabilities(needs_images=False, auto_rank=None)

        def unavailable(self, setup):
            return None if "THROWAWAY_LEDGER" in os.environ else "THROWAWAY_LEDGER is not set"

        def create(self, setup):
            return ThrowawayBackend()
''')


@pytest.fixture
def plugin_path(tmp_path, monkeypatch) -> Path:
    """An installed distribution (its .dist-info) that registers the backend ``throwaway``."""
    site = tmp_path / "site"
    (site / "throwaway_backend-1.0.dist-info").mkdir(parents=True)
    (site / "throwaway_backend.py").write_text(PLUGIN)
    (site / "throwaway_backend-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: throwaway-backend\nVersion: 1.0\n")
    (site / "throwaway_backend-1.0.dist-info" / "entry_points.txt").write_text(
        f"[{GROUP}]\nthrowaway = throwaway_backend:Plugin\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("THROWAWAY_LEDGER", str(tmp_path / "ledger.txt"))
    return site


def test_the_built_in_backends_are_plug_ins():
    registry = BackendRegistry()
    assert {"local", "docker"} <= set(registry.names())
    assert registry.get("docker").capabilities.needs_images and not registry.get("local").capabilities.needs_images
    with pytest.raises(BadRequest, match='Unknown backend "nope"; use one of auto, dask, docker, local'):
        registry.get("nope")


def test_a_plug_in_runs_a_pipeline_from_the_command_line(plugin_path, project, tmp_path):
    path, _ = project.chain()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), os.environ.get("PYTHONPATH", "")])}
    listed = subprocess.run([sys.executable, "-m", "orchest_jlab", "backends", "--json"], capture_output=True,
                            text=True, env=env)
    rows = {row["name"]: row for row in json.loads(listed.stdout)["backends"]}
    assert rows["throwaway"]["usable"] and "a test's backend" in rows["throwaway"]["description"]
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", path, "--backend", "throwaway", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["backend"] == "throwaway" and {s["state"] for s in record["steps"].values()} == {"COMPUTED"}
    assert (tmp_path / "ledger.txt").read_text().split() == ["A", "B", "C"]
    assert "run by the throwaway backend" in done.stderr
    help_text = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", "--help"], capture_output=True,
                               text=True, env=env).stdout
    assert "throwaway" in help_text  # the choices come from the registry


def test_an_unknown_backend_is_refused(project):
    path, _ = project.chain()
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", path, "--backend", "nope"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "'nope' is not one of 'auto'" in done.stderr, done.stderr


@pytest.fixture
def jp_server_config(plugin_path, jp_server_config):
    return jp_server_config  # the plug-in is installed before the server starts


async def test_a_plug_in_runs_a_pipeline_through_the_rest_api(jp_fetch, jp_root_dir, tmp_path):
    root = ProjectBuilder(Path(jp_root_dir))
    root.chain(pipeline_name="p.orchest")
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False,
                                                          "backend": "throwaway"})
    assert code == 201 and run["backend"] == "throwaway"
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS" and (tmp_path / "ledger.txt").read_text().split() == ["A", "B", "C"]
    code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False,
                                                                  "backend": "nope"})
    assert code == 400 and 'Unknown backend "nope"' in error["message"] and "throwaway" in error["message"]


def test_the_docs_describe_each_built_in_backend():
    docs = (REPO / "docs" / "backends.md").read_text()
    registry = BackendRegistry()
    for name in ("local", "docker"):
        assert f"| `{name}` | {registry.get(name).description} |" in docs

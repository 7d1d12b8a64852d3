"""Helpers of test_step_sdk.py: small projects on disk whose steps run as real Python processes
with the step SDK on their PYTHONPATH, the way the runner starts them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid as _uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SDK_PATH = REPO / "orchest_jlab" / "step_sdk"
RESULT = "RESULT "
CONTEXT_VARIABLES = (
    "ORCHEST_PROJECT_DIR", "ORCHEST_PIPELINE_PATH", "ORCHEST_PIPELINE_UUID", "ORCHEST_STEP_UUID",
    "ORCHEST_RUN_UUID", "ORCHEST_PARAMETERS", "JPY_SESSION_NAME",
)

# Prepended to every step file: print a JSON result the test can read back.
PRELUDE = '''\
import json as _json


def report(value):
    print("RESULT " + _json.dumps(value, sort_keys=True), flush=True)


'''


def new_uuid() -> str:
    return str(_uuid.uuid4())


def base_env(**extra: str) -> dict:
    """The test process's environment without any step context, with the SDK importable."""
    env = {k: v for k, v in os.environ.items() if k not in CONTEXT_VARIABLES}
    env["PYTHONPATH"] = str(SDK_PATH)
    env.update(extra)
    return env


def result_of(proc: subprocess.CompletedProcess):
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
    assert lines, f"no result printed\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return json.loads(lines[-1][len(RESULT):])


def error_of(proc: subprocess.CompletedProcess, name: str) -> str:
    """The message of the ``orchest.error.<name>`` that ended the process."""
    assert proc.returncode != 0, f"expected {name}, but the step succeeded:\n{proc.stdout}"
    prefix = f"orchest.error.{name}: "
    lines = proc.stderr.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert starts, f"expected {name}, got:\n{proc.stderr}"
    return "\n".join(lines[starts[-1]:])[len(prefix):]


class SdkProject:
    """A project with one pipeline file; steps are Python files run as child processes."""

    def __init__(self, root: Path, pipeline_file: str = "pipeline.orchest", name: str = "test"):
        self.root = root
        (root / ".orchest").mkdir(parents=True, exist_ok=True)
        self.pipeline_path = root / pipeline_file
        self.pipeline_path.parent.mkdir(parents=True, exist_ok=True)
        self.doc = {
            "name": name, "uuid": new_uuid(), "version": "1.0.0", "parameters": {},
            "services": {}, "settings": {"auto_eviction": False,
                                         "data_passing_memory_size": "1GB"},
            "steps": {},
        }
        self.save()

    @property
    def pipeline_uuid(self) -> str:
        return self.doc["uuid"]

    @property
    def data_dir(self) -> Path:
        return self.root / ".orchest" / "pipelines" / self.pipeline_uuid / "data"

    def save(self) -> None:
        self.pipeline_path.write_text(json.dumps(self.doc, indent=4, sort_keys=True) + "\n")

    def step(self, title: str, code: str = "", *, incoming=(), parameters=None,
             file_path: str | None = None, write: bool = True) -> str:
        """Add a step whose file holds ``code`` (dedented, after PRELUDE); returns its uuid."""
        step_uuid = new_uuid()
        file_path = file_path or f"{title.lower().replace(' ', '_')}.py"
        if write:
            path = self.pipeline_path.parent / file_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(PRELUDE + textwrap.dedent(code))
        self.doc["steps"][step_uuid] = {
            "uuid": step_uuid, "title": title, "file_path": file_path,
            "incoming_connections": list(incoming), "environment": "",
            "parameters": dict(parameters or {}),
            "kernel": {"name": "python", "display_name": "Python 3"},
            "meta_data": {"hidden": False, "position": [0, 0]},
        }
        self.save()
        return step_uuid

    def step_path(self, step_uuid: str) -> Path:
        return self.pipeline_path.parent / self.doc["steps"][step_uuid]["file_path"]

    def env(self, step_uuid: str, **extra: str) -> dict:
        return base_env(
            ORCHEST_PROJECT_DIR=str(self.root),
            ORCHEST_PIPELINE_PATH=str(self.pipeline_path),
            ORCHEST_PIPELINE_UUID=self.pipeline_uuid,
            ORCHEST_STEP_UUID=step_uuid,
            ORCHEST_RUN_UUID="run-" + step_uuid[:8],
            **extra,
        )

    def run(self, step_uuid: str, *, check: bool = True, timeout: float = 60,
            **extra_env: str) -> subprocess.CompletedProcess:
        """Run the step's file as the runner does: its folder as cwd, the context in the env."""
        path = self.step_path(step_uuid)
        proc = subprocess.run(
            [sys.executable, str(path)], cwd=path.parent, env=self.env(step_uuid, **extra_env),
            capture_output=True, text=True, timeout=timeout,
        )
        if check:
            assert proc.returncode == 0, (
                f"step {self.doc['steps'][step_uuid]['title']} failed:\n{proc.stderr}"
            )
        return proc


def run_code(code: str, *, cwd: Path, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` (dedented, after PRELUDE) in a child Python process."""
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=timeout,
    )

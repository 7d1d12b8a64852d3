"""The step SDK (``orchest_jlab/step_sdk/orchest``), exercised the way steps use it: every step is
a real child Python process with the SDK on its PYTHONPATH and the runner's environment variables,
started in its file's folder; the interactive path runs real processes with JPY_SESSION_NAME, and
a real Jupyter kernel."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .sdk_helpers import (
    SDK_PATH,
    SdkProject,
    base_env,
    error_of,
    result_of,
    run_code,
)

LAYOUT_FILE = SDK_PATH / "orchest" / "_layout.py"


def load_layout():
    """``_layout`` loaded by its file path, the way the engine does (no ``orchest`` package)."""
    spec = importlib.util.spec_from_file_location("orchest_jlab_sdk_layout_for_tests", LAYOUT_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_store():
    """The SDK's ``_store`` without importing the SDK as ``orchest`` (it would shadow nothing here,
    but the tests' own process should not hold an ``orchest`` module)."""
    import importlib

    package = "orchest_sdk_for_tests"
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, SDK_PATH / "orchest" / "__init__.py", submodule_search_locations=[str(SDK_PATH / "orchest")])
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{package}._store")


# ----------------------------------------------------------------------------------------------
# inputs and outputs


def diamond(tmp_path: Path) -> tuple[SdkProject, dict]:
    """A -> B, A -> C, B and C -> D, plus E -> D (a second unnamed parent, for ordering)."""
    p = SdkProject(tmp_path / "project")
    s = {}
    s["A"] = p.step("A", """
        import orchest
        assert orchest.get_inputs() == {"unnamed": []}
        orchest.output({"rows": [1, 2, 3]}, name="raw")
    """)
    s["B"] = p.step("B", """
        import orchest
        inputs = orchest.get_inputs()
        report(inputs)
        orchest.output(sum(inputs["raw"]["rows"]), name="total")
    """, incoming=[s["A"]], file_path="steps/b.py")
    s["C"] = p.step("C", """
        import os
        import orchest
        inputs = orchest.get_inputs()
        orchest.output("C saw " + ",".join(map(str, inputs["raw"]["rows"])) + " in " + os.path.basename(os.getcwd()))
    """, incoming=[s["A"]], file_path="steps/c.py")
    s["E"] = p.step("E", """
        import orchest
        orchest.output([1, 2, 3], name=None)
    """)
    s["D"] = p.step("D", """
        import orchest
        report(orchest.get_inputs())
    """, incoming=[s["B"], s["C"], s["E"]], file_path="final/d.py")
    return p, s


def test_diamond_named_and_unnamed_inputs(tmp_path):
    p, s = diamond(tmp_path)
    for name in "ABCE":
        p.run(s[name])
    assert result_of(p.run(s["B"])) == {"unnamed": [], "raw": {"rows": [1, 2, 3]}}

    # D gets its direct parents only (not A's "raw"); unnamed ones in incoming_connections order.
    assert result_of(p.run(s["D"])) == {
        "total": 6,
        "unnamed": ["C saw 1,2,3 in steps", [1, 2, 3]],
    }
    p.doc["steps"][s["D"]]["incoming_connections"].reverse()
    p.save()
    assert result_of(p.run(s["D"])) == {
        "total": 6,
        "unnamed": [[1, 2, 3], "C saw 1,2,3 in steps"],
    }

    names = sorted(os.listdir(p.data_dir))
    for name in "ABCE":
        assert f"{s[name]}.meta.json" in names
        meta = json.loads((p.data_dir / f"{s[name]}.meta.json").read_text())
        assert meta["format"] == 1 and meta["serialization"] == "PICKLE"
        assert meta["run_uuid"] == "run-" + s[name][:8]
        assert (p.data_dir / meta["payload"]).is_file()
    assert json.loads((p.data_dir / f"{s['C']}.meta.json").read_text())["name"] is None
    assert not [n for n in names if n.endswith(".tmp")]


def test_name_collision(tmp_path):
    p = SdkProject(tmp_path)
    one = p.step("First", "import orchest; orchest.output(1, name='x')")
    two = p.step("Second", "import orchest; orchest.output(2, name='x')")
    three = p.step("Third", "import orchest; orchest.output(3, name='y')")
    child = p.step("Child", "import orchest; orchest.get_inputs()", incoming=[one, two, three])
    for step in (one, two, three):
        p.run(step)
    proc = p.run(child, check=False)
    assert "Name collisions between input data coming from different steps" in proc.stderr
    assert "x: ['First', 'Second']" in proc.stderr
    error_of(proc, "InputNameCollisionError")


def test_missing_parent_output_names_the_parent(tmp_path):
    p = SdkProject(tmp_path)
    done = p.step("Done", "import orchest; orchest.output('here')")
    never = p.step("Load the data", "raise SystemExit('never run')")
    child = p.step("Child", "import orchest; orchest.get_inputs()", incoming=[done, never])
    p.run(done)
    message = error_of(p.run(child, check=False), "DiskOutputNotFoundError")
    assert '"Load the data"' in message and never in message and "Try rerunning it" in message

    tolerant = p.step("Tolerant", """
        import orchest
        report(orchest.get_inputs(ignore_failure=True, verbose=True))
    """, incoming=[done, never])
    proc = p.run(tolerant)
    assert result_of(proc) == {"unnamed": ["here", None]}
    assert 'Retrieved input from step: "Done"' in proc.stdout
    assert 'Failed to retrieve input from step: "Load the data"' in proc.stdout


def test_output_name_validity(tmp_path):
    p = SdkProject(tmp_path)
    reserved = p.step("Reserved", "import orchest; orchest.output(1, name='unnamed')")
    assert "'unnamed' is a reserved `name`" in error_of(p.run(reserved, check=False),
                                                       "DataInvalidNameError")
    wrong_type = p.step("Wrong type", "import orchest; orchest.output_to_disk(1, name=3)")
    error_of(p.run(wrong_type, check=False), "DataInvalidNameError")
    unpicklable = p.step("Unpicklable", "import orchest, threading; orchest.output(threading.Lock())")
    assert "Could not serialize data of type _thread.lock" in error_of(
        p.run(unpicklable, check=False), "SerializationError")
    assert not p.data_dir.exists() or not os.listdir(p.data_dir)


def test_second_output_replaces_first_and_clear_output(tmp_path):
    p = SdkProject(tmp_path)
    parent = p.step("Parent", """
        import orchest
        orchest.output("first", name="first")
        orchest.output_to_memory("second")
    """)
    child = p.step("Child", "import orchest; report(orchest.get_inputs())", incoming=[parent])
    proc = p.run(parent)
    assert "output data more than once: only the last output is kept" in proc.stderr
    assert result_of(p.run(child)) == {"unnamed": ["second"]}
    files = sorted(os.listdir(p.data_dir))
    assert len(files) == 2 and f"{parent}.meta.json" in files  # the first payload is gone

    # What the engine does before the step runs again, with _layout loaded by its file path.
    (p.data_dir / f"{parent}.0123.pickle.tmp").write_bytes(b"left by a writer that died")
    store = load_layout()
    assert store.clear_output(str(p.data_dir), parent) == 3
    assert os.listdir(p.data_dir) == []
    assert store.clear_output(str(p.data_dir), parent) == 0
    assert store.clear_output(str(tmp_path / "no such folder"), parent) == 0
    error_of(p.run(child, check=False), "DiskOutputNotFoundError")


def test_unreadable_output_is_a_deserialization_error(tmp_path):
    p = SdkProject(tmp_path)
    parent = p.step("Parent", "import orchest; orchest.output(list(range(1000)))")
    child = p.step("Child", "import orchest; orchest.get_inputs()", incoming=[parent])
    p.run(parent)
    meta = json.loads((p.data_dir / f"{parent}.meta.json").read_text())
    payload = p.data_dir / meta["payload"]
    payload.write_bytes(payload.read_bytes()[:40])
    assert "could not be deserialized" in error_of(p.run(child, check=False),
                                                   "DeserializationError")


def test_readers_never_see_half_an_output(tmp_path):
    """A writer replaces its output 60 times while a reader keeps reading: every read is one
    whole output (uniform arrays, values only going up), never an error."""
    p = SdkProject(tmp_path)
    writer = p.step("Writer", """
        import os, time
        import numpy as np
        import orchest
        orchest.Config.silence_multiple_data_transfer_calls_warning = True
        deadline = time.monotonic() + 30
        while not os.path.exists("reader-ready") and time.monotonic() < deadline:
            time.sleep(0.005)
        for i in range(1, 61):
            orchest.output(np.full(1 << 20, i, dtype=np.int64), name="a")
            time.sleep(0.002)
    """)
    reader = p.step("Reader", """
        import time
        import numpy as np
        import orchest
        seen, reads, deadline = [], 0, time.monotonic() + 30
        open("reader-ready", "w").close()
        while time.monotonic() < deadline:
            try:
                a = orchest.get_inputs()["a"]
            except orchest.error.OutputNotFoundError:
                continue
            reads += 1
            assert a.shape == (1 << 20,) and a.min() == a.max(), "half an output"
            value = int(a[0])
            assert not seen or value >= seen[-1]
            if not seen or value != seen[-1]:
                seen.append(value)
            if value == 60:
                break
        report({"reads": reads, "seen": len(seen), "last": seen[-1]})
    """, incoming=[writer])
    path = p.step_path(reader)
    reading = subprocess.Popen([sys.executable, str(path)], cwd=path.parent,
                               env=p.env(reader), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        p.run(writer)
        out, err = reading.communicate(timeout=60)
    finally:
        reading.kill()
    assert reading.returncode == 0, err
    result = json.loads(out.split("RESULT ")[-1])
    assert result["last"] == 60 and result["seen"] >= 5, result
    assert len(os.listdir(p.data_dir)) == 2


# ----------------------------------------------------------------------------------------------
# NumPy, pandas, Arrow


def test_numpy_pandas_arrow_round_trip_without_copies(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    p = SdkProject(tmp_path)
    arrays = p.step("Arrays", """
        import numpy as np
        import orchest
        big = np.arange(4_000_000, dtype=np.float64)          # 32 MB
        orchest.output({
            "big": big,
            "fortran": np.asfortranarray(np.arange(600_000, dtype=np.int32).reshape(1000, 600)),
            "strided": big[::3],
            "small": np.array([1, 2, 3], dtype=np.uint8),
        }, name="arrays")
    """)
    frame = p.step("Frame", """
        import numpy as np
        import pandas as pd
        import orchest
        df = pd.DataFrame(np.arange(400_000, dtype=np.float64).reshape(100_000, 4),
                          columns=list("abcd"))
        df["n"] = np.arange(100_000)
        df["s"] = ["row %d" % i for i in range(100_000)]
        df.index = pd.date_range("2024-01-01", periods=100_000, freq="s")
        orchest.output(df, name="frame")
    """)
    table = p.step("Table", """
        import pyarrow as pa
        import orchest
        orchest.output(pa.table({"x": pa.array(range(1_000_000), pa.int64()),
                                 "y": pa.array(["v%d" % (i % 7) for i in range(1_000_000)])}),
                       name="table")
    """)
    batch = p.step("Batch", """
        import pyarrow as pa
        import orchest
        orchest.output(pa.record_batch({"z": pa.array([0.5] * 100_000)}))
    """)
    child = p.step("Child", """
        import mmap
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import orchest

        def mapped(array):
            base = array
            while isinstance(base, np.ndarray):
                base = base.base
            return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)

        before = pa.total_allocated_bytes()
        inputs = orchest.get_inputs()
        arrow_allocated = pa.total_allocated_bytes() - before
        a = inputs["arrays"]
        big = a["big"]
        assert np.array_equal(big, np.arange(4_000_000, dtype=np.float64))
        assert np.array_equal(a["fortran"], np.arange(600_000, dtype=np.int32).reshape(1000, 600))
        assert a["fortran"].flags.f_contiguous
        assert np.array_equal(a["strided"], np.arange(4_000_000, dtype=np.float64)[::3])
        assert a["small"].tolist() == [1, 2, 3]
        # Writable, privately: the stored output does not change.
        big[:10] = -1
        assert orchest.get_inputs()["arrays"]["big"][0] == 0

        df = inputs["frame"]
        expected = pd.DataFrame(np.arange(400_000, dtype=np.float64).reshape(100_000, 4),
                                columns=list("abcd"))
        expected["n"] = np.arange(100_000)
        expected["s"] = ["row %d" % i for i in range(100_000)]
        expected.index = pd.date_range("2024-01-01", periods=100_000, freq="s")
        pd.testing.assert_frame_equal(df, expected)

        table, batch = inputs["table"], inputs["unnamed"][0]
        assert isinstance(table, pa.Table) and isinstance(batch, pa.RecordBatch)
        assert table.column("x").to_pylist()[:3] == [0, 1, 2] and table.num_rows == 1_000_000
        assert table.column("y")[8].as_py() == "v1"
        assert batch.num_rows == 100_000 and batch.column(0)[5].as_py() == 0.5
        report({
            "big mapped": mapped(big),
            "fortran mapped": mapped(a["fortran"]),
            "float block mapped": mapped(df["a"].to_numpy(copy=False)),
            "int column mapped": mapped(df["n"].to_numpy(copy=False)),
            "arrow allocated": arrow_allocated,
        })
    """, incoming=[arrays, frame, table, batch])
    for step in (arrays, frame, table, batch):
        p.run(step)
    result = result_of(p.run(child))
    assert result.pop("arrow allocated") < 1 << 16  # the Arrow data stays in the memory map
    assert result == {"big mapped": True, "fortran mapped": True, "float block mapped": True,
                      "int column mapped": True}
    serializations = {
        json.loads((p.data_dir / f"{s}.meta.json").read_text())["serialization"]
        for s in (table, batch)
    }
    assert serializations == {"ARROW_TABLE", "ARROW_BATCH"}


def test_preserialized_data_as_in_orchest(tmp_path):
    pytest.importorskip("pyarrow")
    p = SdkProject(tmp_path)
    pickled = p.step("Pickled", """
        import pickle
        import orchest
        orchest.output_to_disk(pickle.dumps({"k": [1, 2]}), name="obj",
                               serialization=orchest.Serialization.PICKLE)
    """)
    arrow = p.step("Arrow", """
        import pyarrow as pa
        import orchest
        table = pa.table({"x": [1, 2, 3]})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        orchest.output_to_disk(sink.getvalue(), name="t", serialization="ARROW_TABLE")
    """)
    child = p.step("Child", """
        import orchest
        inputs = orchest.get_inputs()
        report({"obj": inputs["obj"], "t": inputs["t"].to_pydict()})
    """, incoming=[pickled, arrow])
    p.run(pickled)
    p.run(arrow)
    assert result_of(p.run(child)) == {"obj": {"k": [1, 2]}, "t": {"x": [1, 2, 3]}}


# ----------------------------------------------------------------------------------------------
# parameters


def test_step_and_pipeline_parameters(tmp_path):
    p = SdkProject(tmp_path)
    p.doc["parameters"] = {"alpha": 0.5, "label": "base"}
    step = p.step("Train model", """
        import orchest
        step_params, pipeline_params = orchest.parameters.get_params()
        report({
            "n": orchest.get_step_param("n"),
            "alpha": orchest.get_pipeline_param("alpha"),
            "default": orchest.get_step_param("absent", default=None),
            "get_params": [step_params, pipeline_params],
            "config": [orchest.Config.STEP_UUID, orchest.Config.PIPELINE_UUID],
        })
    """, parameters={"n": 3, "opts": {"deep": True}})
    assert result_of(p.run(step)) == {
        "n": 3, "alpha": 0.5, "default": None,
        "get_params": [{"n": 3, "opts": {"deep": True}}, {"alpha": 0.5, "label": "base"}],
        "config": [step, p.pipeline_uuid],
    }

    overrides = json.dumps({"pipeline_parameters": {"alpha": 0.9}, step: {"n": 7},
                            "some-other-step": {"n": 100}})
    result = result_of(p.run(step, ORCHEST_PARAMETERS=overrides))
    assert result["n"] == 7 and result["alpha"] == 0.9
    assert result["get_params"] == [{"n": 7, "opts": {"deep": True}},
                                    {"alpha": 0.9, "label": "base"}]

    missing = p.step("Evaluate", "import orchest; orchest.get_step_param('threshold')",
                     parameters={"k": 1})
    message = error_of(p.run(missing, check=False, ORCHEST_STRICT_PARAMETERS="1"), "ParameterNotFoundError")
    assert '"threshold"' in message and '"Evaluate"' in message and missing in message
    assert '"k"' in message and "default=" in message
    missing_pipeline = p.step("Report", "import orchest; orchest.get_pipeline_param('beta')")
    message = error_of(p.run(missing_pipeline, check=False, ORCHEST_STRICT_PARAMETERS="1"),
                       "ParameterNotFoundError")
    assert '"beta"' in message and '"Report"' in message and '"alpha", "label"' in message

    bad = p.run(step, check=False, ORCHEST_PARAMETERS="{not json")
    assert "ORCHEST_PARAMETERS is not valid JSON" in error_of(bad, "Error")


def test_update_params_writes_the_pipeline_file(tmp_path):
    p = SdkProject(tmp_path)
    p.doc["parameters"] = {"keep": 1}
    p.doc["x_unknown_top"] = {"kept": True}
    step = p.step("Tune", """
        import orchest
        orchest.parameters.update_params({"n": 4, "new": "é"}, {"beta": [1, 2]})
        orchest.update_step_param("m", None)
        report([orchest.get_step_param("n"), orchest.get_pipeline_param("beta"),
                orchest.get_step_param("m")])
    """, parameters={"n": 1})
    p.doc["steps"][step]["x_unknown_step"] = 42
    p.save()
    os.chmod(p.pipeline_path, 0o640)
    assert result_of(p.run(step)) == [4, [1, 2], None]

    text = p.pipeline_path.read_text()
    doc = json.loads(text)
    assert doc["parameters"] == {"keep": 1, "beta": [1, 2]}
    assert doc["steps"][step]["parameters"] == {"n": 4, "new": "é", "m": None}
    assert doc["x_unknown_top"] == {"kept": True} and doc["steps"][step]["x_unknown_step"] == 42
    assert text == json.dumps(doc, indent=4, sort_keys=True) + "\n"  # ASCII file: \u escapes
    assert stat.S_IMODE(os.stat(p.pipeline_path).st_mode) == 0o640
    assert [n for n in os.listdir(p.root) if n.endswith(".tmp")] == []


# ----------------------------------------------------------------------------------------------
# the interactive notebook kernel (JPY_SESSION_NAME)


def interactive_project(tmp_path: Path) -> tuple[SdkProject, str, str, Path]:
    """Project at tmp_path/server/proj: a "Load" step (run as a pipeline step) feeding the
    notebook notebooks/explore.ipynb."""
    p = SdkProject(tmp_path / "server" / "proj", pipeline_file="flows/main.orchest")
    load = p.step("Load", "import orchest; orchest.output({'rows': 3}, name='data')",
                  file_path="../src/load.py")
    notebook = p.root / "notebooks" / "explore.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))
    explore = p.step("Explore", incoming=[load], file_path="../notebooks/explore.ipynb",
                     parameters={"k": 5}, write=False)
    p.run(load)
    return p, load, explore, notebook


INTERACTIVE_CODE = """
    import orchest
    report({"inputs": orchest.get_inputs(), "k": orchest.get_step_param("k"),
            "step": orchest.Config.STEP_UUID, "data_dir": orchest.Config.DATA_DIR})
"""


def test_interactive_kernel_finds_its_step_from_the_session_name(tmp_path):
    p, load, explore, notebook = interactive_project(tmp_path)
    # A pipeline in a hidden folder, in node_modules or in a virtualenv never counts.
    for folder in (".hidden", "node_modules/pkg", "venv"):
        other = p.root / folder / "copy.orchest"
        other.parent.mkdir(parents=True)
        other.write_text(p.pipeline_path.read_text().replace(
            "../notebooks", "../" * (folder.count("/") + 1) + "notebooks"))
    (p.root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")

    expected = {"inputs": {"unnamed": [], "data": {"rows": 3}}, "k": 5, "step": explore,
                "data_dir": str(p.data_dir)}
    server_root = tmp_path / "server"
    for session_name in (
        str(notebook),                               # jupyter_server: cwd_for_path(path) + name
        "proj/notebooks/explore.ipynb",              # the API path, relative to the server root
        "notebooks/explore.ipynb",                   # a server rooted at the project
    ):
        proc = run_code(INTERACTIVE_CODE, cwd=notebook.parent,
                        env=base_env(JPY_SESSION_NAME=session_name))
        assert proc.returncode == 0, proc.stderr
        assert result_of(proc) == expected, session_name
    assert server_root.is_dir()

    # The project root is found from the notebook: no .orchest folder above -> its own folder.
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "nb.ipynb").write_text("{}")
    proc = run_code(INTERACTIVE_CODE, cwd=lonely, env=base_env(JPY_SESSION_NAME="nb.ipynb"))
    message = error_of(proc, "StepUUIDResolveError")
    assert "is not the file of a step" in message and str(lonely) in message


def test_interactive_kernel_with_several_pipelines(tmp_path):
    p, load, explore, notebook = interactive_project(tmp_path)
    second = SdkProject(p.root, pipeline_file="second.orchest", name="second")
    twin = second.step("Explore again", file_path="notebooks/explore.ipynb", write=False)
    env = base_env(JPY_SESSION_NAME=str(notebook))
    message = error_of(run_code(INTERACTIVE_CODE, cwd=notebook.parent, env=env),
                       "StepUUIDResolveError")
    assert "several steps" in message and "ORCHEST_PIPELINE_PATH" in message
    assert str(p.pipeline_path) in message and str(second.pipeline_path) in message
    assert '"Explore again"' in message

    env["ORCHEST_PIPELINE_PATH"] = str(p.pipeline_path)
    proc = run_code(INTERACTIVE_CODE, cwd=notebook.parent, env=env)
    assert proc.returncode == 0, proc.stderr
    assert result_of(proc)["step"] == explore
    env["ORCHEST_PIPELINE_PATH"] = str(second.pipeline_path)
    proc = run_code("import orchest; report(orchest.Config.STEP_UUID)", cwd=notebook.parent,
                    env=env)
    assert result_of(proc) == twin


def test_without_any_context(tmp_path):
    proc = run_code("import orchest; orchest.get_inputs()", cwd=tmp_path, env=base_env())
    message = error_of(proc, "StepUUIDResolveError")
    assert "ORCHEST_STEP_UUID" in message and "JPY_SESSION_NAME" in message
    proc = run_code("import orchest; orchest.get_inputs()", cwd=tmp_path,
                    env=base_env(JPY_SESSION_NAME="missing/nb.ipynb"))
    assert "Cannot find the notebook" in error_of(proc, "StepUUIDResolveError")
    proc = run_code("import orchest; orchest.output(1)", cwd=tmp_path,
                    env=base_env(ORCHEST_STEP_UUID="x"))
    assert "ORCHEST_PIPELINE_PATH" in error_of(proc, "PipelineDefinitionNotFoundError")


def test_real_jupyter_kernel(tmp_path):
    jupyter_client = pytest.importorskip("jupyter_client")
    p, load, explore, notebook = interactive_project(tmp_path)
    km = jupyter_client.KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(notebook.parent),
                    env=base_env(JPY_SESSION_NAME="proj/notebooks/explore.ipynb"))
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        out = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        reply = kc.execute_interactive(
            "import json, orchest\n"
            "print('RESULT ' + json.dumps([orchest.get_inputs(), orchest.get_step_param('k'),"
            " __session__]))",
            timeout=60, output_hook=hook)
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    text = "".join(out)
    assert reply["content"]["status"] == "ok", text
    assert json.loads(text.split("RESULT ")[-1]) == [
        {"unnamed": [], "data": {"rows": 3}}, 5, "proj/notebooks/explore.ipynb"]


# ----------------------------------------------------------------------------------------------
# the package itself


def test_sdk_is_self_contained(tmp_path):
    """Standard library only at import (NumPy, pandas, pyarrow only lazily, when the data is
    theirs) and never orchest_jlab: it runs in containers without our package."""
    allowed = set(sys.stdlib_module_names)
    lazy = {"numpy", "pandas", "pyarrow"}
    assert not (SDK_PATH / "__init__.py").exists()
    for path in sorted((SDK_PATH / "orchest").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed or top in lazy, f"{path.name} imports {name}"

    p = SdkProject(tmp_path)
    step = p.step("Plain", """
        import sys
        import orchest
        orchest.output({"plain": [1, 2]}, name="x")
        report(sorted(m for m in sys.modules
                      if m.split(".")[0] in ("numpy", "pandas", "pyarrow", "orchest_jlab")))
    """)
    assert result_of(p.run(step)) == []


def test_context_follows_the_step_uuid_in_one_process(tmp_path):
    """The pipeline file is cached, but a change of ORCHEST_STEP_UUID (or of the file) is seen."""
    p = SdkProject(tmp_path)
    first = p.step("First", parameters={"v": 1}, write=False)
    second = p.step("Second", incoming=[first], parameters={"v": 2}, write=False)
    code = f"""
        import json, os, time
        import orchest
        os.environ["ORCHEST_STEP_UUID"] = "{first}"
        orchest.output("from first")
        values = [orchest.get_step_param("v")]
        os.environ["ORCHEST_STEP_UUID"] = "{second}"
        values.append(orchest.get_step_param("v"))
        values.append(orchest.get_inputs())
        path = os.environ["ORCHEST_PIPELINE_PATH"]
        doc = json.load(open(path))
        doc["steps"]["{second}"]["parameters"]["v"] = 3
        time.sleep(0.01)
        with open(path, "w") as f:
            json.dump(doc, f)
        values.append(orchest.get_step_param("v"))
        report(values)
    """
    env = p.env(first)
    proc = run_code(code, cwd=p.root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert result_of(proc) == [1, 2, {"unnamed": ["from first"]}, 3]


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 5000])
def test_store_round_trip(tmp_path, size):
    """The store alone: buffers at 64-byte aligned offsets."""
    store = load_store()
    value = {"b": bytearray(range(256)) * (size // 256 + 1), "n": size}
    pickle_buffer_value = __import__("pickle").PickleBuffer(bytearray(b"x" * size))
    meta = store.write_output(str(tmp_path), "step", {"v": value, "pb": pickle_buffer_value},
                              name="n")
    assert meta["name"] == "n" and meta["serialization"] == "PICKLE"
    got_meta, got = store.read_output(str(tmp_path), "step")
    assert got_meta == meta
    assert got["v"] == value and bytes(got["pb"]) == b"x" * size
    raw = (tmp_path / meta["payload"]).read_bytes()
    assert raw[:8] == b"ORCHPKL5"
    count = int.from_bytes(raw[8:16], "little")
    for i in range(count):
        offset = int.from_bytes(raw[32 + 16 * i:40 + 16 * i], "little")
        assert offset % store.ALIGNMENT == 0
    assert count == (1 if size >= store.INBAND_BELOW else 0)

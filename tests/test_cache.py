"""The step cache with the real engine: what is run again, what is taken from an entry, and what
an entry's removal does. Each step counts its runs in a file (a side effect the cache must skip)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab.engine.cache import cache_root
from orchest_jlab.pipelines.cache import file_digest

from .engine_helpers import Harness, notebook
from .jobs_helpers import Jobs

# A step that counts its runs and passes its input on with its own value appended.
STEP = """import json, orchest
open("{title}.count", "a").write("x")
inputs = orchest.get_inputs()
received = [v for values in inputs.values() for v in (values if isinstance(values, list) else [values])]
value = {value!r}
with open("{title}.seen.json", "w") as f:
    json.dump(received, f)
orchest.output(received + [value], name="{title}")
"""


def counts(root: Path) -> dict[str, int]:
    return {p.name.removesuffix(".count"): len(p.read_text()) for p in root.glob("*.count")}


def write_step(project, title: str, value="v") -> None:
    project.file(f"{title.lower()}.py", STEP.format(title=title, value=value))


def diamond(project, **extra) -> tuple[Path, dict]:
    """A → B → C, and D on its own."""
    env = project.environment()
    for title in "ABCD":
        write_step(project, title)
    a = project.step("A", "a.py", env)
    b = project.step("B", "b.py", env, [a["uuid"]], **extra.get("B", {}))
    c = project.step("C", "c.py", env, [b["uuid"]])
    d = project.step("D", "d.py", env, **extra.get("D", {}))
    data = project.pipeline(a, b, c, d, **extra.get("pipeline", {}))
    return project.write("p.orchest", data), data


def cached(record: dict) -> dict[str, str | None]:
    return {s["title"]: s["cached_from"] for s in record["steps"].values()}


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


async def test_a_second_run_runs_nothing_and_passes_the_same_data(project, harness):
    path, _ = diamond(project)
    first = await harness.run(path, cache=True)
    seen = (project.root / "C.seen.json").read_text()
    second = await harness.run(path, cache=True)
    assert harness.states(second) == dict.fromkeys("ABCD", "COMPUTED")
    assert cached(second) == dict.fromkeys("ABCD", first["uuid"])
    assert counts(project.root) == dict.fromkeys("ABCD", 1)
    assert [s["cache_key"] for s in second["steps"].values()] == [s["cache_key"] for s in first["steps"].values()]
    # C reads what B's entry holds: a third run with C alone run again sees the same data
    write_step(project, "C", value="v ")
    await harness.run(path, cache=True)
    assert (project.root / "C.seen.json").read_text() == seen == json.dumps(["v", "v"])
    # the database has it, and the step's log says where its output came from
    stored = harness.stores.for_project(project.root).get_run(second["uuid"])
    assert cached(stored) == dict.fromkeys("ABCD", first["uuid"]) and stored["cache"] is True
    log = Path(stored["steps"][next(iter(stored["steps"]))]["log_path"]).read_text()
    assert f"unchanged since run {first['uuid']}" in log
    # without the cache everything runs
    await harness.run(path)
    assert counts(project.root) == {"A": 2, "B": 2, "C": 3, "D": 2}


async def test_a_changed_file_runs_that_step_and_its_descendants_only(project, harness):
    path, _ = diamond(project)
    await harness.run(path, cache=True)
    write_step(project, "B", value="w")
    record = await harness.run(path, cache=True)
    assert {t for t, source in cached(record).items() if source is None} == {"B", "C"}
    assert counts(project.root) == {"A": 1, "B": 2, "C": 2, "D": 1}
    assert json.loads((project.root / "C.seen.json").read_text()) == ["v", "w"]


async def test_a_parameter_change_runs_the_step_and_an_unchanged_output_keeps_its_children(project, harness):
    path, data = diamond(project, B={"parameters": {"p": 1}})
    await harness.run(path, cache=True)
    b = next(u for u, s in data["steps"].items() if s["title"] == "B")
    record = await harness.run(path, cache=True, parameters={b: {"p": 2}})
    # B ran again; its output is the same, so C (whose key has B's output's digest) did not
    assert {t for t, source in cached(record).items() if source is None} == {"B"}
    # the pipeline's parameters are every step's
    project.write("p.orchest", {**data, "parameters": {"q": 1}})
    record = await harness.run(path, cache=True, parameters={"pipeline_parameters": {"q": 2}})
    assert all(source is None for source in cached(record).values())
    assert counts(project.root) == {"A": 2, "B": 3, "C": 2, "D": 2}


async def test_an_opted_out_step_always_runs_and_read_files_count(project, harness):
    project.file("data/x.csv", "1\n")
    path, _ = diamond(project, D={"orchest_jlab": {"cache": False}},
                      B={"orchest_jlab": {"cache": {"reads": ["data/*.csv"]}}})
    first = await harness.run(path, cache=True)
    assert cached(first)["D"] is None and first["steps"][next(u for u, s in first["steps"].items()
                                                              if s["title"] == "D")]["cache_key"] is None
    await harness.run(path, cache=True)
    assert counts(project.root) == {"A": 1, "B": 1, "C": 1, "D": 2}
    project.file("data/x.csv", "2\n")  # a file B declares it reads
    record = await harness.run(path, cache=True)
    assert {t for t, source in cached(record).items() if source is None} == {"B", "D"}


async def test_two_steps_of_one_file_and_one_key_each_have_their_entry(project, harness):
    env = project.environment()
    write_step(project, "S")
    steps = [project.step(title, "s.py", env) for title in ("X", "Y")]
    path = project.write("p.orchest", project.pipeline(*steps))
    first = await harness.run(path, cache=True)
    assert len({s["cache_key"] for s in first["steps"].values()}) == 1 and counts(project.root) == {"S": 2}
    second = await harness.run(path, cache=True)
    assert cached(second) == {"X": first["uuid"], "Y": first["uuid"]} and counts(project.root) == {"S": 2}


async def test_a_copy_of_the_project_does_not_reuse_its_entries(project, harness, tmp_path):
    path, _ = diamond(project)
    await harness.run(path, cache=True)
    copy = tmp_path / "copy"
    shutil.copytree(project.root, copy)  # .orchest/cache too
    record = await harness.run(copy / "p.orchest", cache=True)
    assert all(source is None for source in cached(record).values()) and counts(copy) == dict.fromkeys("ABCD", 2)
    again = await harness.run(copy / "p.orchest", cache=True)
    assert cached(again) == dict.fromkeys("ABCD", record["uuid"])
    assert cached(await harness.run(path, cache=True)) != dict.fromkeys("ABCD", None)  # the original's are its own


async def test_the_pipeline_setting_turns_the_cache_on_and_clear_cache_per_step(project, harness):
    path, data = diamond(project, pipeline={"settings": {"orchest_jlab": {"cache": True}}})
    first = await harness.run(path)
    assert first["cache"] is True
    from orchest_jlab.engine.cache import StepCache

    cache = StepCache(project.root, data["uuid"])
    b = next(u for u, s in data["steps"].items() if s["title"] == "B")
    assert cache.clear(b) == 1
    record = await harness.run(path)
    assert {t for t, source in cached(record).items() if source is None} == {"B"}
    assert cache.clear() == 4 and not list(cache.folder.iterdir())


async def test_a_notebook_whose_outputs_or_metadata_changed_stays_cached(project, harness):
    env = project.environment()
    nb = project.file("n.ipynb", notebook("open('n.count', 'a').write('x')", "print('hello')"))
    step = project.step("N", "n.ipynb", env, kernel={"name": "python3", "display_name": "Python 3"})
    path = project.write("p.orchest", project.pipeline(step))
    first = await harness.run(path, cache=True)
    assert harness.states(first) == {"N": "COMPUTED"}
    executed = json.loads(nb.read_text())
    assert executed["cells"][1]["outputs"][0]["text"] in ("hello\n", ["hello\n"])
    digest = file_digest(nb, "python3")
    executed["metadata"]["tags"] = ["edited"]  # metadata, outputs and counts: not the key
    executed["cells"][1]["outputs"] = []
    executed["cells"][1]["execution_count"] = 7
    executed["cells"].append({"cell_type": "markdown", "id": "m", "metadata": {}, "source": "a note"})
    nb.write_text(json.dumps(executed))
    assert file_digest(nb, "python3") == digest
    second = await harness.run(path, cache=True)
    assert cached(second) == {"N": first["uuid"]} and counts(project.root) == {"n": 1}
    restored = json.loads(nb.read_text())  # the entry's outputs, the user's metadata and markdown
    assert restored["cells"][1]["outputs"][0]["text"] in ("hello\n", ["hello\n"])
    assert restored["metadata"]["tags"] == ["edited"] and restored["cells"][2]["source"] == "a note"
    executed_copy = Path(second["steps"][step["uuid"]]["log_path"]).parents[1] / "notebooks" / "n.ipynb"
    assert json.loads(executed_copy.read_text())["cells"][1]["outputs"][0]["text"] in ("hello\n", ["hello\n"])
    restored["cells"][0]["source"] = "open('n.count', 'a').write('x')\n1"  # code: the key
    nb.write_text(json.dumps(restored))
    third = await harness.run(path, cache=True)
    assert cached(third) == {"N": None} and counts(project.root) == {"n": 2}


async def test_grid_runs_with_one_key_share_an_entry_and_deleting_runs_removes_theirs(project):
    jobs = Jobs(project.root)
    try:
        env = project.environment()
        write_step(project, "A")
        project.file("b.py", "import orchest\nopen('b.count', 'a').write('x')\nprint(orchest.get_step_param('y'))\n")
        a = project.step("A", "a.py", env)
        b = project.step("B", "b.py", env, [a["uuid"]], parameters={"y": 0})
        data = project.pipeline(a, b, settings={"orchest_jlab": {"cache": True}})
        project.write("p.orchest", data)
        job = await jobs.run_now({"pipeline": "p.orchest", "parameters": {b["uuid"]: {"y": [1, 2]}}})
        assert job["status"] == "SUCCESS", job
        records = [jobs.record(r["run_uuid"]) for r in job["runs"]]
        sources = sorted((r["steps"][a["uuid"]]["cached_from"] or "") for r in records)
        assert sources[0] == "" and sources[1] in {r["uuid"] for r in records}  # A ran once, for both
        assert [r["steps"][b["uuid"]]["cached_from"] for r in records] == [None, None]
        entries = list(cache_root(project.root).glob("*/*/*/entry.json"))
        assert len(entries) == 3  # A once, B per value
        await jobs.service.delete(job["uuid"])
        assert list(cache_root(project.root).glob("*/*/*/entry.json")) == []
    finally:
        await jobs.close()


async def test_clear_cache_endpoint(jp_fetch, jp_root_dir):
    from .conftest import ProjectBuilder

    project = ProjectBuilder(Path(jp_root_dir))
    path, data = diamond(project)
    harness = Harness()
    try:
        await harness.run(path, cache=True)
    finally:
        await harness.close()
    b = next(u for u, s in data["steps"].items() if s["title"] == "B")
    response = await jp_fetch("orchest", "api", "cache", method="DELETE", params={"pipeline": "p.orchest", "step": b})
    assert json.loads(response.body) == {"pipeline": "p.orchest", "step": b, "removed": 1}
    response = await jp_fetch("orchest", "api", "cache", method="DELETE", params={"pipeline": "p.orchest"})
    assert json.loads(response.body)["removed"] == 3
    for params, words in [({}, '"pipeline" (query) is required'),
                          ({"pipeline": "p.orchest", "step": "nope"}, 'has no step "nope"')]:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("orchest", "api", "cache", method="DELETE", params=params)
        assert info.value.code == 400 and words in json.loads(info.value.response.body)["message"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "cache", method="DELETE", params={"pipeline": "p.orchest"},
                       headers={"Authorization": ""})
    assert info.value.code == 403
    with pytest.raises(HTTPClientError) as info:  # a run request's "cache" is true or false
        await jp_fetch("orchest", "api", "runs", method="POST",
                       body=json.dumps({"pipeline": "p.orchest", "interactive": False, "cache": "yes"}))
    assert info.value.code == 400 and '"cache" must be true or false' in json.loads(info.value.response.body)["message"]


def orchest_jlab(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from orchest_jlab.cli import main; main()", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_run_cache_on_snapshots_from_the_command_line(project):
    path, _ = diamond(project)
    command = ("run", "--cache", "--snapshot", "--json", "--quiet", "--backend", "local", path)
    first = orchest_jlab(*command, cwd=project.root)
    assert first.returncode == 0, first.stderr
    first_run = json.loads(first.stdout)
    second = orchest_jlab(*command, cwd=project.root)
    assert second.returncode == 0, second.stderr
    steps = json.loads(second.stdout)["steps"]
    assert {s["title"]: s["cached_from"] for s in steps.values()} == dict.fromkeys("ABCD", first_run["uuid"])
    assert all(s["cache_key"] == first_run["steps"][u]["cache_key"] for u, s in steps.items())
    assert f"COMPUTED (cached, from run {first_run['uuid']})" in second.stderr
    # the steps ran in the snapshots, never in the project
    assert counts(project.root) == {} and not list(project.root.glob("*.seen.json"))


@pytest.fixture
def full_cache_disk(project):
    """The project's cache folder on a 1 MiB tmpfs, filled up: an entry cannot be written there."""
    folder = cache_root(project.root)
    folder.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    filler = folder / "filler"
    try:
        with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
            while True:
                f.write(b"x" * 4096)
        yield filler
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


async def test_an_entry_is_never_half_written_on_a_full_disk(project, harness, full_cache_disk):
    path, _ = diamond(project)
    first = await harness.run(path, cache=True)
    assert first["status"] == "SUCCESS" and all(s["cache_key"] for s in first["steps"].values())
    root = cache_root(project.root)
    assert list(root.glob("**/entry.json")) == [] and [p for p in root.rglob("*") if ".tmp" in p.name] == []
    full_cache_disk.unlink()  # room again: nothing was kept, so every step runs, and is kept now
    second = await harness.run(path, cache=True)
    assert all(source is None for source in cached(second).values())
    assert len(list(root.glob("**/entry.json"))) == 4
    third = await harness.run(path, cache=True)
    assert cached(third) == dict.fromkeys("ABCD", second["uuid"])

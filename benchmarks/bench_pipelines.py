"""Speed of the pipeline core, as ratios against baselines measured in the same run.

- discovery of .orchest files in a 50,000-file tree vs a bare ``os.scandir`` walk of the same tree
  (the least any discovery must do);
- validating a 200-step pipeline (``validate_pipeline`` with its file's location: the schema, the
  graph, every step file and environment) vs ``json.loads`` of the same text (target: at most 10x),
  and the whole ``check_pipeline_file`` (read, parse with duplicate-key detection, validate) beside.

Every figure: median of alternating rounds, with its spread (``timing.py``).
Run: ``make bench`` or ``python benchmarks/bench_pipelines.py``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import alternate, report  # noqa: E402

from orchest_jlab.pipelines import check_pipeline_file, discover_pipelines, validate_pipeline  # noqa: E402


def make_tree(root: Path, files: int = 50_000) -> int:
    """A project-like tree: source folders, a node_modules, a .git and a venv, 50 pipelines."""
    made = 0
    layout = {"src": 0.5, "node_modules": 0.2, ".git/objects": 0.15, "venv/lib": 0.1, "data": 0.05}
    for top, share in layout.items():
        count = int(files * share)
        for i in range(count):
            folder = root / top / f"d{i // 100}" / f"e{i // 20 % 5}"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"p{i}.orchest" if top == "src" and i % 500 == 0 else f"f{i}.py"
            (folder / name).touch()
            made += 1
    (root / "venv" / "pyvenv.cfg").touch()
    return made


def bare_walk(root: str) -> int:
    count, stack = 0, [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    count += 1
    return count


def big_pipeline(folder: Path, steps: int = 200) -> Path:
    env = str(uuid.uuid4())
    (folder / ".orchest" / "environments" / env).mkdir(parents=True)
    (folder / ".orchest" / "environments" / env / "properties.json").write_text(json.dumps({"name": "py"}))
    uuids = [str(uuid.uuid4()) for _ in range(steps)]
    data = {"name": "big", "uuid": str(uuid.uuid4()), "version": "1.0.0", "settings": {}, "parameters": {},
            "steps": {}}
    for i, u in enumerate(uuids):
        (folder / f"s{i}.py").touch()
        data["steps"][u] = {
            "uuid": u, "title": f"step {i}", "file_path": f"s{i}.py", "environment": env,
            "incoming_connections": [uuids[j] for j in (i - 1, i - 7, i - 31) if j >= 0],
            "parameters": {"a": i, "b": [1, 2, 3]}, "kernel": {"name": "python", "display_name": "Python 3"},
            "meta_data": {"hidden": False, "position": [i * 10, i * 5]},
        }
    path = folder / "big.orchest"
    path.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        files = make_tree(root)
        walked = bare_walk(str(root))
        found = discover_pipelines(root)
        report(f"discovery: {files} files ({walked} walked by the baseline), {len(found)} pipelines found", alternate({
            "bare scandir walk": lambda: bare_walk(str(root)),
            "discover_pipelines": lambda: discover_pipelines(root),
        }, 7), "bare scandir walk")

        folder = Path(tmp) / "project"
        folder.mkdir()
        path = big_pipeline(folder)
        text = path.read_text()
        data = json.loads(text)
        _, report_ = check_pipeline_file(path)
        assert report_.valid, [p.describe() for p in report_.problems]
        # Each timed call does 20 of them: single calls of a millisecond are too close to the timer.
        repeat = lambda fn: lambda: [fn() for _ in range(20)]  # noqa: E731
        report(f"validation of a 200-step pipeline ({len(text) // 1024} KiB), 20 per sample", alternate({
            "json.loads": repeat(lambda: json.loads(text)),
            "validate_pipeline": repeat(lambda: validate_pipeline(data, path)),
            "check_pipeline_file": repeat(lambda: check_pipeline_file(path)),
        }, 9), "json.loads", {"validate_pipeline": 10})


if __name__ == "__main__":
    main()

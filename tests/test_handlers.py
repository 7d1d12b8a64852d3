"""The REST API, through a real Jupyter server with the extension loaded."""

import json
import re
from pathlib import Path

import pytest
import yaml
from tornado.httpclient import HTTPClientError

from orchest_jlab.handlers import API_PREFIX, routes

from .conftest import EXAMPLES, ProjectBuilder

OPENAPI = Path(__file__).resolve().parents[1] / "orchest_jlab" / "openapi.yaml"


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def fetch_json(jp_fetch, *parts, **kwargs):
    response = await jp_fetch("orchest", "api", *parts, **kwargs)
    return response.code, json.loads(response.body)


async def fetch_error(jp_fetch, *parts, **kwargs):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", *parts, **kwargs)
    body = json.loads(info.value.response.body)
    assert set(body) == {"message", "errors"} and body["message"]
    return info.value.code, body


async def test_list_pipelines(jp_fetch, root):
    path, data = root.chain(pipeline_name="sub/chain.orchest")
    root.write("broken.orchest", {"name": "broken", "steps": 3})
    (root.root / "junk.orchest").write_text("{not json")
    root.write("node_modules/x/hidden.orchest", data)
    code, body = await fetch_json(jp_fetch, "pipelines")
    assert code == 200
    by_path = {p["path"]: p for p in body["pipelines"]}
    assert list(by_path) == ["broken.orchest", "junk.orchest", "sub/chain.orchest"]
    assert by_path["sub/chain.orchest"] == {
        "path": "sub/chain.orchest", "name": "test pipeline", "uuid": data["uuid"], "step_count": 3,
        "valid": True, "error_count": 0, "warning_count": 0,
    }
    assert by_path["broken.orchest"]["valid"] is False and by_path["broken.orchest"]["error_count"] >= 1
    assert by_path["junk.orchest"] == {
        "path": "junk.orchest", "name": "junk", "uuid": None, "step_count": 0,
        "valid": False, "error_count": 1, "warning_count": 0,
    }


async def test_get_pipeline_with_report(jp_fetch, root):
    path, data = root.chain(pipeline_name="my pipelines/p.orchest")
    (root.root / "my pipelines" / "a.py").unlink()
    code, body = await fetch_json(jp_fetch, "pipelines", "my pipelines/p.orchest")
    assert code == 200 and body["pipeline"] == data and body["path"] == "my pipelines/p.orchest"
    report = body["report"]
    assert report["valid"] is False and report["error_count"] == 1
    [problem] = report["problems"]
    assert problem["step_title"] == "A" and problem["pointer"].endswith("/file_path")
    assert problem["message"] == 'The file "a.py" does not exist.'


async def test_get_the_example_pipeline(jp_fetch, jp_root_dir):
    import shutil

    shutil.copytree(EXAMPLES, Path(jp_root_dir) / "examples")
    code, body = await fetch_json(jp_fetch, "pipelines", "examples/quickstart.orchest")
    assert body["report"] == {"valid": True, "error_count": 0, "warning_count": 0, "problems": []}
    assert body["pipeline"]["name"] == "Weather quickstart"


async def test_get_an_unparsable_pipeline_reports_it(jp_fetch, root):
    (root.root / "junk.orchest").write_text('{"name": ')
    code, body = await fetch_json(jp_fetch, "pipelines", "junk.orchest")
    assert code == 200 and body["pipeline"] is None
    assert "not valid JSON" in body["report"]["problems"][0]["message"]


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("missing.orchest", 404, "no pipeline file"),
        ("notes.txt", 400, "not a pipeline"),
        ("a/../../etc/x.orchest", 400, "not a path inside"),
    ],
)
async def test_get_pipeline_refuses_bad_paths(jp_fetch, root, path, status, words):
    code, body = await fetch_error(jp_fetch, "pipelines", path)
    assert code == status and words in body["message"]


async def test_get_pipeline_refuses_a_symlink_out_of_the_root(jp_fetch, root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    ProjectBuilder(outside).chain()
    (root.root / "link").symlink_to(outside)
    code, body = await fetch_error(jp_fetch, "pipelines", "link/chain.orchest")
    assert code == 400 and "outside" in body["message"]


async def test_validate_a_document(jp_fetch, root):
    _, data = root.chain(titles=("A", "B"))
    a, b = data["steps"].values()
    a["incoming_connections"] = [b["uuid"]]
    code, report = await fetch_json(jp_fetch, "validate", method="POST", body=json.dumps(data))
    assert code == 200 and report["valid"] is False
    assert [p["message"].split(".")[0] for p in report["problems"]] == [
        'These steps form a cycle: "A" → "B" → "A"' if report["problems"][0]["step_title"] == "A"
        else 'These steps form a cycle: "B" → "A" → "B"'
    ]


async def test_validate_with_a_path_checks_files_and_environments(jp_fetch, root):
    _, data = root.chain(titles=("A",), pipeline_name="p.orchest")
    next(iter(data["steps"].values()))["file_path"] = "gone.py"
    code, report = await fetch_json(jp_fetch, "validate", method="POST", body=json.dumps(data))
    assert report["valid"] is True
    code, report = await fetch_json(
        jp_fetch, "validate", method="POST", body=json.dumps(data), params={"path": "p.orchest"})
    assert report["problems"][0]["message"] == 'The file "gone.py" does not exist.'


async def test_validate_reports_duplicate_keys_in_the_body(jp_fetch):
    body = '{"name": "x", "name": "y"}'
    _, report = await fetch_json(jp_fetch, "validate", method="POST", body=body)
    assert any(p["pointer"] == "/name" and "twice" in p["message"] for p in report["problems"])


@pytest.mark.parametrize(
    "body, words",
    [
        ("{not json", "not valid JSON"),
        ("", "no body"),
        ("   ", "no body"),
        ('{"a": [1, 2}', "not valid JSON"),
        ("[" * 100000, "not valid JSON"),
    ],
)
async def test_validate_refuses_malformed_bodies_with_400(jp_fetch, body, words):
    code, error = await fetch_error(jp_fetch, "validate", method="POST", body=body, allow_nonstandard_methods=True)
    assert code == 400 and words in error["message"]


async def test_validate_refuses_a_path_outside_the_root(jp_fetch):
    code, error = await fetch_error(
        jp_fetch, "validate", method="POST", body="{}", params={"path": "../x.orchest"})
    assert code == 400


RUN = "00000000-0000-4000-8000-000000000001"
STEP = "00000000-0000-4000-8000-000000000002"
REQUESTS = [
    ("GET", "pipelines", None),
    ("GET", "pipelines/p.orchest", None),
    ("POST", "validate", "{}"),
    ("GET", "runs", None),
    ("POST", "runs", '{"pipeline": "p.orchest"}'),
    ("GET", f"runs/{RUN}", None),
    ("DELETE", f"runs/{RUN}", None),
    ("DELETE", f"runs/cleanup/{RUN}", None),
    ("GET", f"runs/{RUN}/steps/{STEP}/log", None),
    ("GET", f"runs/{RUN}/pipeline", None),
    ("GET", f"runs/{RUN}/files/a.ipynb", None),
    ("POST", f"runs/{RUN}/copy-pipeline", "{}"),
    ("GET", "steps", None),
    ("DELETE", "cache", None),
    ("GET", "events", None),
    ("GET", "sessions", None),
    ("POST", "sessions", '{"pipeline": "p.orchest"}'),
    ("GET", "sessions/p.orchest", None),
    ("DELETE", "sessions/p.orchest", None),
    ("GET", "env-variables", None),
    ("PUT", "env-variables", '{"project": {}}'),
    ("GET", "environments", None),
    ("POST", "environments", "{}"),
    ("GET", f"environments/{RUN}", None),
    ("PATCH", f"environments/{RUN}", "{}"),
    ("DELETE", f"environments/{RUN}", None),
    ("GET", f"environments/{RUN}/build", None),
    ("POST", f"environments/{RUN}/build", "{}"),
    ("DELETE", f"environments/{RUN}/build", None),
    ("GET", f"environments/{RUN}/build/log", None),
    ("GET", "jobs", None),
    ("POST", "jobs", '{"pipeline": "p.orchest"}'),
    ("POST", "jobs/grid", '{"pipeline": "p.orchest"}'),
    ("GET", f"jobs/{RUN}", None),
    ("PATCH", f"jobs/{RUN}", "{}"),
    ("DELETE", f"jobs/{RUN}", None),
    *(("POST", f"jobs/{RUN}/{action}", "{}") for action in ("start", "pause", "resume", "trigger", "cancel", "duplicate")),
    ("GET", "services", None),
    ("GET", "services/log", None),
    ("GET", "notifications/webhooks", None),
    ("POST", "notifications/webhooks", '{"url": "http://127.0.0.1:9/"}'),
    ("PATCH", f"notifications/webhooks/{RUN}", "{}"),
    ("DELETE", f"notifications/webhooks/{RUN}", None),
    ("POST", f"notifications/webhooks/{RUN}/test", "{}"),
    ("GET", "notifications/deliveries", None),
    ("GET", "cluster", None),
]


@pytest.mark.parametrize("method, path, body", REQUESTS)
@pytest.mark.parametrize("auth", [None, "token wrong-token"])
async def test_every_endpoint_refuses_unauthenticated_calls(jp_fetch, root, method, path, body, auth):
    root.chain(pipeline_name="p.orchest")
    headers = {"Authorization": auth or ""}
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", *path.split("/"), method=method, body=body, headers=headers)
    assert info.value.code == 403


def test_the_requests_above_cover_every_route():
    for pattern, _ in routes():
        assert any(re.fullmatch(pattern, f"{API_PREFIX}/{path}") for _, path, _ in REQUESTS), pattern


def test_openapi_describes_every_route_and_method():
    spec = yaml.safe_load(OPENAPI.read_text())
    methods = {"get", "post", "put", "patch", "delete"}
    documented = {re.sub(r"\{\w+\}", "{}", path): set(ops) & methods for path, ops in spec["paths"].items()}
    served = {}
    for pattern, handler in routes():
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", pattern.removeprefix(API_PREFIX))
        served[path] = {m for m in methods if m in vars(handler)}
    assert served == documented

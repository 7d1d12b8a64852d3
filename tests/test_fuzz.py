"""Random and mutated pipeline documents against the validator and ``POST validate``: never an
unhandled exception, never a 500, and every problem points at something that is in the document."""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tornado.httpclient import HTTPClientError

from orchest_jlab.pipelines import dumps, validate_pipeline
from orchest_jlab.pipelines.document import parse

from .conftest import EXAMPLES

EXAMPLE = json.loads((EXAMPLES / "quickstart.orchest").read_text())
STEP_UUIDS = list(EXAMPLE["steps"])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# Values that look like what a pipeline holds, so that mutations go deep rather than fail early.
plausible = st.sampled_from(STEP_UUIDS + ["", "1.0.0", "a.py", "../x.py", "/etc/passwd", "x.txt", -1, 0, "1GB", [], {}]) | json_values


def resolve(document, pointer):
    value = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


@st.composite
def mutated_pipelines(draw):
    document = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 6))):
        # Walk to a random container, then replace, delete or add a member.
        container = document
        while True:
            keys = list(container) if isinstance(container, dict) else list(range(len(container)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = container[key]
            if not isinstance(child, (dict, list)) or draw(st.booleans()):
                break
            container = child
        if not keys:
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(plausible)
        elif action == "delete" and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.sampled_from(STEP_UUIDS) | st.text(max_size=8))] = draw(plausible)
        else:
            container.append(draw(plausible))
    return document


def check_report(document, report):
    json.dumps(report.to_json())  # serializable
    for problem in report.problems:
        assert problem.severity in ("error", "warning") and problem.message
        resolve(document, problem.pointer)  # raises if the pointer is wrong


@settings(max_examples=300, deadline=None)
@given(mutated_pipelines())
def test_validator_on_mutated_pipelines(document):
    check_report(document, validate_pipeline(document, EXAMPLES / "quickstart.orchest"))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_validator_on_random_json(document):
    check_report(document, validate_pipeline(document, EXAMPLES / "quickstart.orchest"))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_save_format_is_a_fixed_point(document):
    text = dumps(document)
    value, _ = parse(text)
    assert value == document and dumps(value) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=mutated_pipelines().map(json.dumps) | json_values.map(json.dumps) | st.text(max_size=200)
       | st.binary(max_size=200))
def test_validate_endpoint_never_fails_with_500(jp_fetch, jp_asyncio_loop, body):
    async def post():
        try:
            response = await jp_fetch("orchest", "api", "validate", method="POST", body=body,
                                      params={"path": "quickstart.orchest"})
        except HTTPClientError as error:
            assert error.code == 400, error.response.body
            assert json.loads(error.response.body)["message"]
            return
        report = json.loads(response.body)
        assert set(report) == {"valid", "error_count", "warning_count", "problems"}

    jp_asyncio_loop.run_until_complete(post())

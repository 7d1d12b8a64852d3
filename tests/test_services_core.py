"""Services in the pure core: validation naming the service and field, start order, launch and the SDK's shape."""

from hypothesis import given, settings
from hypothesis import strategies as st

from orchest_jlab.pipelines import check_pipeline_file
from orchest_jlab.pipelines.services import in_scope, launch_of, sdk_view, session_uuid_of

from .test_fuzz import plausible


def with_services(project, services: dict):
    path, data = project.chain(titles=("A",))
    data["services"] = services
    project.write("chain.orchest", data)
    return path


def problems(project, services):
    _, report = check_pipeline_file(with_services(project, services))
    return {p.pointer: p.message for p in report.errors}


def service(name="web", **fields):
    return {"name": name, "image": "redis", "scope": ["interactive"], **fields}


def test_a_valid_service_has_no_problems(project):
    env = project.environment("Service env")
    assert problems(project, {"web": service(image=f"environment@{env}", ports=[8000], order=1,
                                             binds={"/data": "/data", "/project-dir": "/srv"},
                                             env_variables={"A": "1"}, env_variables_inherit=["B"],
                                             command="bash", args="-c 'echo hi'", preserve_base_path=True)}) == {}


def test_each_error_names_the_service_and_its_field(project):
    found = problems(project, {
        "web": service(ports=["http"], binds={"/etc": "/x", "/data": "relative"}, order=1,
                       scope=["interactive", "batch"], env_variables={"1BAD": "x"}),
        "Bad_Name": service("Bad_Name", order=1),
        "db": service("other", image="environment@0d6f43c8-1d9a-4a1a-9b6a-7d4cfd0a0a0a"),
    })
    assert found["/services/web/ports/0"] == 'Service "web": "ports" must hold port numbers (1-65535), not "http".'
    assert found["/services/web/binds/~1etc"].startswith('Service "web": a bind source must be "/project-dir" or "/data"')
    assert "absolute path" in found["/services/web/binds/~1data"]
    assert found["/services/web/scope/1"].startswith('Service "web": "scope": Should be one of "interactive", "noninteractive"')
    assert found["/services/web/env_variables/1BAD"].startswith('Service "web": "env_variables":')
    assert found["/services/Bad_Name"].startswith('Service "Bad_Name": a service name must start with a lower-case letter')
    assert found["/services/web/order"] == 'Service "web": its order 1 is also that of "Bad_Name".'  # file order
    assert found["/services/db/name"] == 'Service "db": its name "other" differs from its key "db" in "services".'
    assert "environment" in found["/services/db/image"] and "does not define" in found["/services/db/image"]


def test_what_orchest_would_refuse_is_a_warning(project):
    """Orchest refuses a whole pipeline over a service without a port, an order or "exposed", or with a
    port as text: it runs here, with a warning saying so."""
    _, report = check_pipeline_file(with_services(project, {
        "bare": service("bare"), "text": service("text", ports=["8000", 9], order=2, exposed=True),
        "full": service("full", ports=[80], order=1, exposed=False)}))
    assert report.errors == []
    warned = sorted((p.pointer, p.message) for p in report.problems if p.severity == "warning" and "Orchest" in p.message)
    assert [pointer for pointer, _ in warned] == ["/services/bare"] * 3 + ["/services/text/ports/0"]  # missing: its service
    assert warned[2][1] == 'Service "bare": it has no port in "ports". Orchest would not open this pipeline without it.'
    _, report = check_pipeline_file(with_services(project, {"empty": service("empty", ports=[], order=1, exposed=True)}))
    assert [(p.pointer, p.severity) for p in report.problems] == [("/services/empty/ports", "warning")]


def test_a_missing_required_field_names_the_service(project):
    found = problems(project, {"web": {"name": "web", "scope": ["interactive"]}})
    assert found["/services/web"] == 'Service "web": The required field "image" is missing.'


def test_services_start_by_order_then_name_in_their_scope():
    data = {"services": {"c": service("c"), "b": service("b", order=2), "a": service("a", order=5),
                         "batch": service("batch", scope=["noninteractive"], order=1)}}
    assert [s["name"] for s in in_scope(data, "interactive")] == ["b", "a", "c"]
    assert [s["name"] for s in in_scope(data, "noninteractive")] == ["batch"]


def test_launch_reads_both_of_orchests_forms_and_inherits_variables():
    new = launch_of(service(command="bash", args="-c 'umask 002 && run'", env_variables={"A": "1", "B": "own"},
                            env_variables_inherit=["B", "C"]), "s1", "/", inherited={"B": "job", "X": "no"},
                    orchest_env={"ORCHEST_SESSION_UUID": "s1"})
    assert (new.entrypoint, new.command) == (["bash"], ["-c", "umask 002 && run"])
    assert new.env == {"ORCHEST_SESSION_UUID": "s1", "A": "1", "B": "job"}
    old = launch_of(service(entrypoint="bash", command="-c 'tensorboard --logdir /data'"), "s1", "/")
    assert (old.entrypoint, old.command) == (["bash"], ["-c", "tensorboard --logdir /data"])
    bare = launch_of(service(), "s1", "/")
    assert (bare.entrypoint, bare.command) == (None, None)


def test_base_path_prefix_is_the_proxy_path_as_in_orchest():
    launch = launch_of(service("streamlit", ports=[8501], preserve_base_path=True,
                               env_variables={"STREAMLIT_SERVER_BASE_URL_PATH": "$BASE_PATH_PREFIX_8501"}),
                       "abc", "/user/x/")
    assert launch.env["STREAMLIT_SERVER_BASE_URL_PATH"] == "user/x/orchest/services/pbp-service-streamlit-abc_8501"
    assert launch.name == "streamlit"


def test_the_sdk_view_has_orchests_shape():
    launch = launch_of(service(ports=[8000, "9000"], order=3), "abc", "/")
    view = sdk_view(launch, "abc", "http://localhost:8888", "/")
    assert view["internal_hostname"] == "web-abc"
    assert view["base_paths"] == {8000: "/orchest/services/service-web-abc_8000",
                                  9000: "/orchest/services/service-web-abc_9000"}
    assert view["external_urls"][8000] == "http://localhost:8888/orchest/services/service-web-abc_8000/"
    assert "scope" not in view and view["image"] == "redis" and view["order"] == 3


def test_the_interactive_session_uuid_is_stable_per_pipeline():
    assert session_uuid_of("a/p.orchest") == session_uuid_of("a/p.orchest") != session_uuid_of("b/p.orchest")
    assert len(session_uuid_of("a/p.orchest")) == 16


FIELDS = {"name": "web", "image": "redis", "scope": ["interactive"], "command": "bash", "args": "-c 'x'",
          "entrypoint": "sh", "binds": {"/data": "/data"}, "ports": [80], "env_variables": {"A": "1"},
          "env_variables_inherit": ["B"], "order": 1, "preserve_base_path": True, "requires_authentication": False}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["web", "db", "Bad Name", ""]),
                       st.dictionaries(st.sampled_from(sorted(FIELDS)), plausible, max_size=6).map(
                           lambda mutated: {**FIELDS, **mutated}) | plausible, max_size=3))
def test_any_services_value_is_reported_never_raised(services):
    from orchest_jlab.pipelines import validate_pipeline

    from .test_fuzz import EXAMPLE, EXAMPLES, check_report

    document = {**EXAMPLE, "services": services}
    report = validate_pipeline(document, EXAMPLES / "quickstart.orchest")
    check_report(document, report)
    for scope in ("interactive", "noninteractive"):
        started = in_scope(document, scope)
        if report.valid:  # what sessions and runs start: only valid documents get there
            for service in started:
                sdk_view(launch_of(service, "s", "/"), "s", "http://x", "/")

"""What the ``orchest-jlab`` command imports: nothing heavy to start (``--help``), and for a run of
scripts none of Jupyter's kernel machinery, Docker's SDK or jsonschema. Asserted on ``sys.modules``
of a fresh interpreter, not on a time (benchmarks/bench_cli.py measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import EXAMPLES

# Each takes longer to import than an interpreter takes to start, most of them many times longer.
HEAVY = ("jsonschema", "traitlets", "sqlalchemy", "jupyter_client", "jupyter_core", "nbclient", "nbformat", "zmq",
         "docker", "tornado", "psutil", "pathspec", "asyncio", "numpy", "orchest_jlab.engine", "orchest_jlab.store",
         "orchest_jlab.pipelines")
NOT_FOR_SCRIPTS = ("jsonschema", "pathspec", "jupyter_client", "nbclient", "nbformat", "zmq", "docker", "tornado",
                   "orchest_jlab.engine.runners.kernels", "orchest_jlab.environments", "orchest_jlab.jobs",
                   "orchest_jlab.sessions", "orchest_jlab.kernels", "psutil")


def modules_after(code: str, cwd=None, env=None) -> set[str]:
    script = (f"import sys, json\n{code}\n"
              "print('\\n' + json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def call_main(*args: str) -> str:
    return ("from orchest_jlab.cli import main\n"
            "try:\n"
            f"    main({list(args)!r}, standalone_mode=False)\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n")


def one_step_pipeline(project):
    env = project.environment()
    project.file("a.py", "print('a')\n")
    return project.write("p.orchest", project.pipeline(project.step("a", "a.py", env)))


def test_importing_the_command_imports_nothing_heavy():
    loaded = modules_after("import orchest_jlab.cli")
    assert not {m for m in HEAVY if m in loaded}


def test_help_imports_nothing_heavy():
    loaded = modules_after(call_main("--help"))
    assert not {m for m in HEAVY if m in loaded}


def test_a_command_imports_only_its_own_module_and_help_lists_every_command():
    loaded = modules_after(call_main("validate", str(EXAMPLES / "quickstart.orchest")))
    others = {"orchest_jlab.cli.run", "orchest_jlab.cli.jobs", "orchest_jlab.cli.environments", "orchest_jlab.cli.backends",
              "orchest_jlab.cli.runs"}
    assert "orchest_jlab.cli.pipelines" in loaded and not others & loaded
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "--help"], capture_output=True, text=True, timeout=120)
    listed = [line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert done.returncode == 0 and listed == ["backends", "env", "job", "list", "run", "runs", "validate"], done.stdout


def test_validating_a_valid_pipeline_imports_no_jsonschema():
    loaded = modules_after(call_main("validate", str(EXAMPLES / "quickstart.orchest")))
    assert "jsonschema" not in loaded and "sqlalchemy" not in loaded


def test_a_run_of_scripts_imports_no_kernel_machinery(project):
    path = one_step_pipeline(project)
    loaded = modules_after(call_main("run", "--backend", "local", "--quiet", str(path)), cwd=project.root)
    assert "orchest_jlab.engine" in loaded  # it did run
    assert not {m for m in NOT_FOR_SCRIPTS if m in loaded}


def test_a_docker_run_of_scripts_imports_no_kernel_machinery(project, needs_docker):
    """Jupyter's kernel machinery and nbformat (with jsonschema, whose optional format checkers build
    38 grammars at import: seconds of a command's start) wait for a notebook step."""
    path = one_step_pipeline(project)
    loaded = modules_after(call_main("run", "--backend", "docker", "--quiet", str(path)), cwd=project.root)
    assert "orchest_jlab.backends.docker" in loaded  # it did run in a container
    assert not {m for m in ("jsonschema", "jupyter_client", "nbclient", "nbformat", "zmq", "rfc3987_syntax",
                            "orchest_jlab.kernels") if m in loaded}


def test_the_stores_import_sqlalchemy_only_when_they_open_a_database():
    """A run's events are written by the stores' own thread, which imports SQLAlchemy with the first
    store it opens, while the run's first steps already run."""
    loaded = modules_after("from orchest_jlab.engine import EventBus\n"
                           "from orchest_jlab.store import RunStores\n"
                           "stores = RunStores()\nstores.listen(EventBus())\nstores.close()")
    assert "sqlalchemy" not in loaded


def test_a_run_with_a_backend_given_scans_the_installed_backends_once(project):
    path = one_step_pipeline(project)
    count = ("import importlib.metadata as metadata\n"
             "scans = []\n"
             "def entry_points(_scan=metadata.entry_points, **kw):\n"
             "    scans.append(kw.get('group'))\n"
             "    return _scan(**kw)\n"
             "metadata.entry_points = entry_points\n")
    script = (count + call_main("run", "--backend", "local", "--quiet", str(path))
              + "print('\\n' + json.dumps(scans))")
    done = subprocess.run([sys.executable, "-c", "import json\n" + script], capture_output=True, text=True,
                          cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]).count("orchest_jlab.backends") <= 1  # 0: cached


def test_the_installed_backends_are_scanned_again_only_when_a_distribution_changed(tmp_path):
    """The scan's answer is kept in the user's cache: a command after it does not import
    importlib.metadata; a plug-in installed since (a new .dist-info on the path) is seen at once."""
    site = tmp_path / "site"
    site.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    names = ("from orchest_jlab.backends import BackendRegistry\n"
             "print('\\n' + json.dumps(BackendRegistry().names()))\n")

    def backends() -> tuple[list[str], bool]:
        done = subprocess.run([sys.executable, "-c", f"import json, sys\n{names}print(json.dumps(sorted(sys.modules)))"],
                              capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        *_, listed, loaded = done.stdout.strip().splitlines()
        return json.loads(listed), "importlib.metadata" in json.loads(loaded)

    first, scanned = backends()
    assert "local" in first and "throwaway" not in first and scanned
    assert backends() == (first, False)  # from the cache
    (site / "throwaway_backend-1.0.dist-info").mkdir()
    (site / "throwaway_backend-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-backend\n"
                                                                        "Version: 1.0\n")
    (site / "throwaway_backend-1.0.dist-info" / "entry_points.txt").write_text(
        "[orchest_jlab.backends]\nthrowaway = throwaway_backend:Plugin\n")
    assert backends() == (sorted([*first, "throwaway"]), True)


def test_a_run_reads_the_config_files_through_traitlets_only_when_one_exists(project, tmp_path):
    env_uuid = project.environment()
    project.file("a.py", "print('a')\n")
    path = project.write("p.orchest", project.pipeline(project.step("a", "a.py", env_uuid)))
    folder = tmp_path / "jupyter-config"
    folder.mkdir()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(folder))  # (the other folders of the path hold none)
    loaded = modules_after(call_main("run", "--quiet", str(path)), cwd=project.root, env=env)
    assert "orchest_jlab.engine" in loaded and "traitlets" not in loaded  # the defaults without traitlets

    # With a file, its c.OrchestApp.* settings count (here a backend that does not exist).
    (folder / "jupyter_server_config.json").write_text(json.dumps({"OrchestApp": {"backend": "nowhere"}}))
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", "--quiet", str(path)], capture_output=True,
                          text=True, cwd=project.root, env=env, timeout=120)
    assert done.returncode == 2 and 'Unknown backend "nowhere"' in done.stderr, done.stderr


def test_the_commands_start_runs_no_garbage_collection(project):
    """The collector is off while the command imports (command.py), back on, with the start's objects
    frozen, once it runs something; and the command's modules alone leave it on."""
    path = one_step_pipeline(project)
    script = ("import gc, sys\n"
              "from orchest_jlab.command import main\n"
              "runs = []\n"
              "gc.callbacks.append(lambda phase, info: phase == 'start' and runs.append(gc.get_freeze_count()))\n"
              "sys.argv = ['orchest-jlab', *sys.argv[1:]]\n"
              "try:\n    main(teardown=True)\n"
              "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print(gc.isenabled(), gc.get_freeze_count() > 0, all(runs))\n")
    for args, expected in ((["--help"], "False False True"), (["run", "--backend", "local", "--quiet", str(path)],
                                                               "True True True")):
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                              cwd=project.root, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == expected
    loaded = subprocess.run([sys.executable, "-c", "import gc, orchest_jlab.cli; print(gc.isenabled())"],
                            capture_output=True, text=True, timeout=120)
    assert loaded.stdout.strip() == "True"


def test_a_notebook_run_and_a_broken_pipeline_find_jsonschema_without_its_format_grammars(project):
    """The command finds rfc3987_syntax absent (command.py): nbformat's jsonschema and our schemas'
    errors work without the 38 grammars it builds at import (seconds of a command's start)."""
    import nbformat

    env = project.environment()
    project.file("n.ipynb", nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")])))
    path = project.write("p.orchest", project.pipeline(project.step("N", "n.ipynb", env)))
    broken = project.write("broken.orchest", {**project.pipeline(project.step("N", "n.ipynb", env)), "version": 7})
    script = ("import sys\n"
              "from orchest_jlab.command import main\n"
              "sys.argv = ['orchest-jlab', *sys.argv[1:]]\n"
              "try:\n    main(teardown=True)\n"
              "except SystemExit as exc:\n    print('exit', exc.code)\n"
              "print('\\n' + ' '.join(m for m in ('jsonschema', 'nbformat', 'rfc3987_syntax', 'lark') if sys.modules.get(m)))\n")
    for args, status, loaded in ((["run", "--backend", "local", "--quiet", str(path)], "exit 0", "jsonschema nbformat"),
                                 (["validate", str(broken)], "exit 1", "jsonschema")):
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                              cwd=project.root, timeout=120)
        lines = done.stdout.strip().splitlines()
        assert lines[-1] == loaded and status in lines, (done.stdout, done.stderr)
    assert "version" in done.stdout + done.stderr  # jsonschema's error, named
    executed = nbformat.read(project.root / "n.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["data"]["text/plain"] == "42"


def test_a_run_of_scripts_loads_no_ssl_and_ssl_still_works_when_used(project):
    """The command's entry point puts placeholders for ssl and asyncio.sslproto (command.py): a run
    of scripts never loads OpenSSL's module, and a TLS connection made afterwards gets the real ones
    (here a handshake with a server that does not speak TLS fails as ssl says)."""
    path = one_step_pipeline(project)
    script = ("import sys\n"
              "from orchest_jlab.command import main\n"
              "sys.argv = ['orchest-jlab', 'run', '--backend', 'local', '--quiet', sys.argv[1]]\n"
              "try:\n    main(teardown=True)\n"
              "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print('\\n' + str('_ssl' in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"

    tls = ("import sys, types\n"
           "from orchest_jlab.command import defer\n"
           "defer()\n"
           "import asyncio, ssl\n"
           "assert '_ssl' not in sys.modules\n"
           "async def main():\n"
           "    async def answer(reader, writer):\n"
           "        writer.write(b'HTTP/1.0 400 not TLS\\r\\n\\r\\n' * 100)\n"
           "        await writer.drain()\n"
           "        writer.close()\n"
           "    server = await asyncio.start_server(answer, '127.0.0.1', 0)\n"
           "    port = server.sockets[0].getsockname()[1]\n"
           "    try:\n"
           "        await asyncio.open_connection('127.0.0.1', port, ssl=ssl.create_default_context())\n"
           "    except ssl.SSLError as exc:\n"
           "        return type(exc).__name__\n"
           "    finally:\n"
           "        server.close()\n"
           "print(asyncio.run(main()), type(sys.modules['ssl']) is types.ModuleType,\n"
           "      type(sys.modules['asyncio.sslproto']) is types.ModuleType)\n")
    done = subprocess.run([sys.executable, "-c", tls], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["SSLError", "True", "True"]


def test_the_command_ends_without_the_interpreters_teardown_but_with_its_atexit_functions(tmp_path):
    """command.main: the exit status and everything printed as with SystemExit, the atexit functions
    of what the command imported run (then its own ends the process), the modules not torn down (no
    object left is finalized)."""
    marker = tmp_path / "atexit-ran"
    script = ("import atexit, sys\n"
              "class Kept:\n"
              "    def __del__(self):\n"
              "        print('torn down', flush=True)\n"
              "kept = Kept()\n"
              "from orchest_jlab import cli, command\n"
              "group = cli.main\n"
              "def invoked(*args, **kwargs):  # as a module the command imports registers one\n"
              f"    atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
              "    return group(*args, **kwargs)\n"
              "cli.main = invoked\n"
              "sys.argv = ['orchest-jlab', *sys.argv[1:]]\n"
              "command.main()\n"
              "print('not reached')\n")
    done = subprocess.run([sys.executable, "-c", script, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "orchest-jlab" in done.stdout and "not reached" not in done.stdout and "torn down" not in done.stdout
    assert marker.read_text() == "yes"
    done = subprocess.run([sys.executable, "-c", script, "validate", str(tmp_path / "missing.orchest")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "cannot be read" in done.stdout  # a status other than 0 too

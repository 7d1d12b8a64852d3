"""Jupyter server configuration of the orchest-jlab UI tests (Galata).

Never use this configuration outside tests: it disables all security.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
# Galata's helper made temporary folders: remove them when the server stops.
atexit.register(shutil.rmtree, c.LabApp.workspaces_dir, ignore_errors=True)  # noqa: F821

# CI and the development machines run as root.
c.ServerApp.allow_root = True  # noqa: F821

# A fresh root directory per server, holding a copy of the repository's
# examples/ (if any) so that tests can open real projects without changing them.
if os.environ.get("JUPYTERLAB_GALATA_ROOT_DIR"):
    _root = Path(os.environ["JUPYTERLAB_GALATA_ROOT_DIR"])
    _root.mkdir(parents=True, exist_ok=True)
else:
    # Replaces the (empty) root directory that Galata's helper made.
    shutil.rmtree(c.ServerApp.root_dir, ignore_errors=True)  # noqa: F821
    _root = Path(tempfile.mkdtemp(prefix="orchest-jlab-ui-"))
    atexit.register(shutil.rmtree, _root, ignore_errors=True)
_examples = Path(__file__).resolve().parents[1] / "examples"
if _examples.is_dir():
    shutil.copytree(_examples, _root / "examples", dirs_exist_ok=True)
c.ServerApp.root_dir = str(_root)  # noqa: F821

# The runs' and jobs' folders and the /data folders (engine/folders.py) in a data folder of this
# server's own: the tests' runs must not pile up in the user's. The runtime folder stays.
from jupyter_core.paths import jupyter_runtime_dir  # noqa: E402

os.environ["JUPYTER_RUNTIME_DIR"] = jupyter_runtime_dir()
_data = Path(tempfile.mkdtemp(prefix="orchest-jlab-ui-data-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)
os.environ["JUPYTER_DATA_DIR"] = str(_data)

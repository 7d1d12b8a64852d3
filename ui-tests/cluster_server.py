"""A second Jupyter server for the cluster's UI test (tests/cluster.spec.ts): its backend is dask, on
a real ``dask scheduler`` (with its HTTP routes, the dashboard's) and two ``dask worker`` processes
on loopback (tests/dask_helpers.py), all stopped when this process gets SIGTERM.

    python cluster_server.py PORT
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.dask_helpers import Cluster  # noqa: E402


def main(port: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="orchest-jlab-ui-cluster-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # to the finally below
    cluster = Cluster(root / "cluster", resources={0: "GPU=1"}, dashboard=True)
    server = None
    try:
        (root / "lab").mkdir()
        server = subprocess.Popen(
            [shutil.which("jupyter") or "jupyter", "lab", "--config", str(HERE / "jupyter_server_test_config.py"),
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root / 'lab'}",
             "--OrchestApp.backend=dask", f"--OrchestApp.dask_scheduler={cluster.address}",
             "--OrchestApp.environment_kernels=False"],
            cwd=HERE, env={**os.environ, "JUPYTERLAB_GALATA_ROOT_DIR": str(root / "lab")})
        server.wait()
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))

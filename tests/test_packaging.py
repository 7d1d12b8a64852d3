"""The installed package: a wheel that carries the labextension, and both extensions enabled."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
installed = pytest.mark.skipif(shutil.which("jupyter") is None, reason="jupyter is not installed")


@pytest.mark.timeout(900)
def test_the_wheel_carries_the_labextension_schemas_and_server_config(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True,
    )
    [wheel] = tmp_path.glob("orchest_jlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    expected = {
        f"{data}/data/share/jupyter/labextensions/orchest-jlab/package.json",
        f"{data}/data/share/jupyter/labextensions/orchest-jlab/install.json",
        f"{data}/data/etc/jupyter/jupyter_server_config.d/orchest_jlab.json",
        "orchest_jlab/schemas/pipeline.schema.json",
        "orchest_jlab/schemas/environment.schema.json",
        "orchest_jlab/openapi.yaml",
        "orchest_jlab/engine/runners/tcp_bridge.js",  # Deno's kernels need it (JavaScript environments)
    }
    assert expected <= names
    assert any(n.startswith(f"{data}/data/share/jupyter/labextensions/orchest-jlab/static/") for n in names)
    # The step spawner's C helper, compiled by hatch_build.py where a C compiler answers (the wheel
    # is then for this platform); its source stays out.
    assert "orchest_jlab/engine/_spawnd.c" not in names
    if sys.platform == "linux" and shutil.which(os.environ.get("CC") or "cc"):
        helper = zipfile.ZipFile(wheel).getinfo("orchest_jlab/engine/_spawnd")
        assert helper.external_attr >> 16 & 0o111, "the helper must be executable"
        assert not wheel.name.endswith("-none-any.whl"), wheel.name


@installed
def test_server_extension_is_enabled():
    out = subprocess.run(["jupyter", "server", "extension", "list"], capture_output=True, text=True)
    text = out.stdout + out.stderr
    line = next(line for line in text.splitlines() if "orchest_jlab" in line)
    assert "enabled" in line


@installed
def test_labextension_is_enabled():
    out = subprocess.run(["jupyter", "labextension", "list"], capture_output=True, text=True)
    line = next(line for line in (out.stdout + out.stderr).splitlines() if "orchest-jlab" in line)
    assert "enabled" in line and "OK" in line


def test_every_stylesheet_is_loaded_both_ways():
    """JupyterLab loads ``styleModule`` (index.js); ``style`` (index.css) is for other tools: same files."""
    import re

    style = REPO / "style"
    by_js = set(re.findall(r"^import '\./([\w-]+\.css)';", (style / "index.js").read_text(), re.M))
    by_css = set(re.findall(r"^@import url\('([\w-]+\.css)'\);", (style / "index.css").read_text(), re.M))
    sheets = {p.name for p in style.glob("*.css")} - {"index.css"}
    assert by_js == by_css == sheets

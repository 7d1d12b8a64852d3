"""What builds are made of: image names and labels, the build's shell script, build records and logs."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from ..docker import LABEL, project_key

LOCAL_BASE_IMAGE = "orchest-jlab/base-py:bookworm"
# Orchest's JavaScript image had Node.js and a kernel: builds on ours add them (BUILD_SCRIPT).
DEFAULT_ALIASES = {"orchest/base-kernel-py": LOCAL_BASE_IMAGE, "orchest/base-kernel-py-gpu": LOCAL_BASE_IMAGE,
                   "orchest/base-kernel-javascript": LOCAL_BASE_IMAGE}
BUILDS_DIR = Path(".orchest") / "builds"
CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
RECIPE_VERSION = "2"  # part of the build hash: changing how images are made rebuilds them
LANGUAGE_RECIPES = {"javascript": "1"}  # and of one language's images only
KEEP_LOGS = 5
BUILD_MOUNT = "/tmp/orchest-build"
# $1: the environment's language. Exit codes 90-97 are ours (see failure_message). Deno's kernel comes
# from PyPI's deno wheel (or npm's package): one binary, no download from elsewhere at install.
BUILD_SCRIPT = f"""
if [ -f {BUILD_MOUNT}/ca-certificates.crt ]; then
  export PIP_CERT={BUILD_MOUNT}/ca-certificates.crt SSL_CERT_FILE={BUILD_MOUNT}/ca-certificates.crt \\
         REQUESTS_CA_BUNDLE={BUILD_MOUNT}/ca-certificates.crt CURL_CA_BUNDLE={BUILD_MOUNT}/ca-certificates.crt
fi
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
cd /project-dir || exit 92
echo "--- setup_script.sh"
if command -v bash >/dev/null 2>&1; then bash {BUILD_MOUNT}/setup_script.sh; else sh {BUILD_MOUNT}/setup_script.sh; fi
code=$?
[ $code -eq 0 ] || exit $code
if [ "$1" = python ]; then
  PY=$(command -v python3 || command -v python) || exit 90
  if ! "$PY" -c "import ipykernel" >/dev/null 2>&1; then
    echo "--- the image has no ipykernel: installing it"
    "$PY" -m pip install --no-cache-dir ipykernel || exit 91
  fi
fi
if [ "$1" = r ]; then
  command -v R >/dev/null 2>&1 || exit 93
  if ! R --slave -e "library(IRkernel)" >/dev/null 2>&1; then
    echo "--- the image has no IRkernel: installing it"
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -q && apt-get install -y -q --no-install-recommends r-cran-irkernel
    else
      R --slave -e "install.packages('IRkernel', repos = 'https://cloud.r-project.org')"
    fi
    R --slave -e "library(IRkernel)" >/dev/null 2>&1 || exit 94
  fi
fi
if [ "$1" = javascript ]; then
  if ! command -v node >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      echo "--- the image has no node: installing Debian's nodejs"
      apt-get update -q && apt-get install -y -q --no-install-recommends nodejs || exit 97
    else
      echo "--- the image has no node (.js script steps need it): install it in the setup script"
    fi
  fi
  if ! command -v deno >/dev/null 2>&1; then
    echo "--- the image has no JavaScript kernel: installing Deno (its Jupyter kernel)"
    PY=$(command -v python3 || command -v python)
    if [ -n "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1; then
      "$PY" -m pip install --no-cache-dir deno || exit 96
    elif command -v npm >/dev/null 2>&1; then
      npm install -g deno || exit 96
    else
      exit 95
    fi
    command -v deno >/dev/null 2>&1 || exit 96
  fi
fi
echo "--- done"
"""


def recipe_version(language: str) -> str:
    return f"{RECIPE_VERSION}.{LANGUAGE_RECIPES[language]}" if language in LANGUAGE_RECIPES else RECIPE_VERSION


def source_hash(base_image: str | None, setup_script: str, language: str) -> str:
    """What an image is made from, as written (no Docker needed): a build records it, and an
    environment whose files no longer match its last successful build needs a rebuild."""
    return hashlib.sha256(json.dumps([recipe_version(language), base_image, setup_script, language]).encode()).hexdigest()


def default_ca_bundle() -> str | None:
    """The host's CA bundle, mounted into builds so that pip and curl trust what the host trusts."""
    for candidate in (os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE"), *CA_BUNDLES):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


class BuildError(Exception):
    pass


def image_repository(project_dir: Path) -> str:
    return f"{LABEL}/{project_key(project_dir)}"


def image_tag(project_dir: Path, env_uuid: str) -> str:
    return f"{image_repository(project_dir)}:{env_uuid}"


def builds_dir(project_dir: Path, env_uuid: str) -> Path:
    return project_dir / BUILDS_DIR / env_uuid


def failure_message(code: int, image: str) -> str:
    if code == 90:
        return f"The image {image} has no python3, so a Python kernel cannot run in it."
    if code == 91:
        return "ipykernel is missing from the image and could not be installed (see the log)."
    if code == 93:
        return f"The image {image} has no R, so an R kernel cannot run in it (install r-base-core in the setup script)."
    if code == 94:
        return "IRkernel (the R kernel) is missing from the image and could not be installed (see the log)."
    if code == 95:
        return (f"The image {image} has no JavaScript kernel, and neither pip nor npm to install Deno's: "
                "install python3-pip, npm or deno in the setup script.")
    if code == 96:
        return "Deno (the JavaScript kernel) is missing from the image and could not be installed (see the log)."
    if code == 97:
        return "Node.js is missing from the image and could not be installed with apt-get (see the log)."
    return f"setup_script.sh exited with code {code}."


@dataclass
class Build:
    uuid: str
    project_dir: str
    environment_uuid: str
    environment_name: str
    image: str
    status: str = "PENDING"
    base_image: str | None = None
    resolved_base_image: str | None = None
    build_hash: str | None = None
    source_hash: str | None = None  # see source_hash(): the environment's files when the build was asked
    skipped: bool = False  # the image was up to date
    requested: str | None = None
    started: str | None = None
    finished: str | None = None
    error: str | None = None
    log_path: str | None = None
    pid: int = 0  # the process running the build, and its start time (see identity.py)
    pid_started: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class BuildLog:
    """A build's log file; each complete line is also published on the bus."""

    def __init__(self, build: Build, publish: Callable[..., None]):
        self.file = open(build.log_path, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self.publish = publish
        self.partial = ""

    def write(self, text: str) -> None:
        self.file.write(text)
        self.file.flush()
        *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            self.publish(line=line)

    def note(self, text: str) -> None:
        self.write(("\n" if self.partial else "") + text + "\n")

    def close(self) -> None:
        if self.partial:
            self.write("\n")
        self.file.close()

# The two set-up commands (see README.md):
#   make lab    install everything and launch JupyterLab on examples/
#   make test   install what the tests need and run every test suite (what .ci/run does)

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
LAB_ROOT ?= examples
# Jupyter refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab install test test-js test-python test-ui bench clean docker-setup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Editable install of the Python package; builds the labextension (jlpm) and links it into the venv.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dask]"
	@# pip skips the frontend build when a labextension folder exists; one that a failed build left
	@# half-written (no "_build" in its package.json) would load nothing in JupyterLab: build again.
	@grep -q '"_build"' orchest_jlab/labextension/package.json 2>/dev/null || PATH="$(BIN):$$PATH" jlpm build
	$(BIN)/jupyter-builder develop --overwrite .
	$(BIN)/jupyter server extension enable --sys-prefix orchest_jlab

# With a Docker engine running, the local base image the example's environment needs is built first.
lab: install
	bash .ci/docker-setup.sh --if-running
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(LAB_ROOT) $(LAB_ARGS)

test: install docker-setup test-js test-python test-ui

# Docker for the docker backend's tests: installs docker.io, starts dockerd, builds the
# local base image (cached). Never fails: without Docker, those tests are skipped with the reason.
docker-setup:
	bash .ci/docker-setup.sh

# jest: the editor's model and the API client (TypeScript, no browser).
test-js:
	PATH="$(BIN):$$PATH" jlpm test --ci

test-python:
	PATH="$(BIN):$$PATH" $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-ui:
	PATH="$(BIN):$$PATH" ui-tests/run.sh

bench: install
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules ui-tests/node_modules lib orchest_jlab/labextension tsconfig.tsbuildinfo

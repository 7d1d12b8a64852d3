#!/usr/bin/env bash
# Run the orchest-jlab browser tests (Galata / Playwright, headless Chromium).
#
# Call it after the orchest-jlab Python package (with its labextension) is
# installed into the active environment, with that environment's bin first on
# PATH (`jupyter` and `jlpm` come from it). Extra arguments go to
# `playwright test`, e.g. `ui-tests/run.sh -g "file browser"`.
#
# The browser is Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH):
# Playwright never downloads one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: $CHROMIUM_PATH is missing; install Debian's chromium (apt-get install chromium) as root" >&2
    exit 1
  fi
  echo "run.sh: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium
fi

for tool in jupyter jlpm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: '$tool' is not on PATH: put the environment's bin folder first on PATH" >&2
    exit 1
  fi
done
if ! jupyter labextension list 2>&1 | grep -q 'orchest-jlab.*enabled.*OK'; then
  echo "run.sh: the orchest-jlab labextension is not installed in this environment:" >&2
  jupyter labextension list >&2 || true
  exit 1
fi

cd "$here"
jlpm install
jlpm playwright test "$@"

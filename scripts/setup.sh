#!/usr/bin/env bash
# Set up sohoa on Debian 12: system packages, then a virtual environment with locked versions.
# Usage: scripts/setup.sh [--bench]   (--bench adds OCRmyPDF for bench/)
# Locks: requirements.lock (running sohoa), requirements-test.lock (and the test tools),
# bench/requirements.lock (and OCRmyPDF). SOHOA_PACKAGES=runtime (the container image)
# installs only the first, and only the runtime Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-packages.sh

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
lock=requirements-test.lock
if [ "${SOHOA_PACKAGES:-}" = "runtime" ]; then lock=requirements.lock; fi
if [ "${1:-}" = "--bench" ]; then lock=bench/requirements.lock; fi
stamp=".venv/.installed-$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$lock"
  .venv/bin/python -m pip install -q --no-deps -e . >/dev/null 2>&1 || .venv/bin/python -m pip install --no-deps -e .
  touch "$stamp"
fi
# The E-ARK validator (for the tests of sohoa export-sip) in its own environment: its pins
# (lxml, pydantic) are not sohoa's.
if [ "${SOHOA_PACKAGES:-}" != "runtime" ]; then
  if [ ! -x .venv-eark/bin/python ]; then
    "$PYTHON" -m venv .venv-eark
  fi
  eark_stamp=".venv-eark/.installed-$(sha256sum tests/eark-validator.lock | cut -c1-16)"
  if [ ! -e "$eark_stamp" ]; then
    .venv-eark/bin/python -m pip install -q -r tests/eark-validator.lock
    touch "$eark_stamp"
  fi
fi
# Byte-compiled once, as the Docker image is: with PYTHONDONTWRITEBYTECODE set, every run
# would otherwise compile sohoa from source. Hash-checked, so an edited file is still seen.
.venv/bin/python -m compileall -q --invalidation-mode checked-hash sohoa pipeline flows >/dev/null
.venv/bin/sohoa --version

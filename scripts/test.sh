#!/usr/bin/env bash
# Set up (if needed), then run the whole test suite against the real programs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest -n auto -q "$@"

#!/usr/bin/env bash
# Set up (if needed), check the code (lint, types, import layers), then run the whole test
# suite against the real programs. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/check.sh
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest -n auto -q "$@"

#!/usr/bin/env bash
# The code's own checks, a few seconds each: ruff (lint and import order), mypy (types),
# import-linter (the layers in pyproject.toml: which package may import which; no cycles).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check --quiet .
.venv/bin/mypy
out=$(.venv/bin/lint-imports --no-cache 2>&1) || { echo "$out"; exit 1; }
echo "import contracts: kept"

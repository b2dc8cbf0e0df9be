#!/usr/bin/env bash
# Set up, then turn every bundled sample dossier into PDF/A + record.json under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
for dossier in samples/*; do
  name=$(basename "${dossier%.*}")
  .venv/bin/sohoa process "$dossier" --output "out/$name"
done
echo "Done: see out/ (one PDF/A per document, and record.json)"

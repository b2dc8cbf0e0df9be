#!/usr/bin/env bash
# The whole pipeline on this machine, on the bundled sample dossiers:
#   set up → development PKI with its local timestamp service → embedded S3 (SeaweedFS)
#   → OCR, metadata, PDF/A, signature → archive → audit.
# Everything runs on 127.0.0.1 and lives in .sohoa/ and out/. DEVELOPMENT ONLY keys.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export SOHOA_STORAGE__DATA_DIR="$PWD/.sohoa/seaweedfs"
pki=.sohoa/dev-pki
[ -f "$pki/pki.json" ] || .venv/bin/sohoa dev-pki "$pki"
set -a; . "$pki/signing.env"; set +a

.venv/bin/sohoa dev-pki "$pki" --serve > .sohoa/tsa.log 2>&1 &
tsa=$!
trap 'kill $tsa 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/9797) 2>/dev/null && break
  sleep 0.2
done
if ! kill -0 "$tsa" 2>/dev/null; then
  echo "The development timestamp service did not start (is port 9797 taken?): see .sohoa/tsa.log" >&2
  exit 1
fi

.venv/bin/sohoa storage up

for dossier in samples/*; do
  name=$(basename "${dossier%.*}")
  commune=()
  case "$name" in *photocopy*) commune=(--commune 19810) ;; esac
  .venv/bin/sohoa process "$dossier" --output "out/$name" --config "$pki/signing.yaml" \
    --archive "${commune[@]}"
done
.venv/bin/sohoa verify out/*/*.pdf --config "$pki/signing.yaml" > out/verify.txt
.venv/bin/sohoa audit --all --config "$pki/signing.yaml"
echo
echo "Done: out/ holds each dossier's signed PDF/A files, record.json and text/;"
echo "out/verify.txt the signature report. The archive is in SeaweedFS on 127.0.0.1:8333"
echo "(stop it with: SOHOA_STORAGE__DATA_DIR=$SOHOA_STORAGE__DATA_DIR .venv/bin/sohoa storage down)."

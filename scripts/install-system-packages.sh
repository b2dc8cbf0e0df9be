#!/usr/bin/env bash
# The Debian 12 packages sohoa needs. The README, CI and the Dockerfile all use this one list.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-dev
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd
  poppler-utils
  # Full Vietnamese coverage (ộ, ự, ế): fonts-liberation2, not the old fonts-liberation.
  fonts-noto-core fonts-liberation2 fonts-dejavu-core
  ghostscript
  # Signing tests: a PKCS#11 token in software (SoftHSM2) and the tools to load it.
  softhsm2 opensc
  # For the scale-out tests: a Prefect server on PostgreSQL.
  postgresql
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# The Debian 12 packages sohoa needs. The README, CI and the Dockerfile all use this one list.
#
# Usage: scripts/install-system-packages.sh [--runtime] [--list]
#   (no option)  everything: running sohoa, building its virtualenv, the tests and bench/
#   --runtime    only what running sohoa needs (the container image); the same as
#                SOHOA_PACKAGES=runtime in the environment, which scripts/setup.sh passes on
#   --list       print the chosen packages, one a line, and install nothing
set -euo pipefail

# Running sohoa: Python, Tesseract with the Vietnamese model (and the Vietnamese-script model,
# a second reader of the signer's name), poppler, the fonts.
RUNTIME_PACKAGES=(
  python3 python3-venv
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd tesseract-ocr-script-viet
  poppler-utils
  # Full Vietnamese coverage (ộ, ự, ế): fonts-liberation2, not the old fonts-liberation.
  fonts-noto-core fonts-liberation2 fonts-dejavu-core
  # TLS to an S3 store, a timestamp server or a Prefect API trusted through the system store.
  ca-certificates
)
# Everything else: building wheels that have no binary for this machine, the tests, bench/.
OTHER_PACKAGES=(
  python3-dev
  # bench/: OCRmyPDF renders with Ghostscript.
  ghostscript
  # synth's held-out pages: faces the tuned pages never use, and a script face for handwriting.
  fonts-freefont-ttf fonts-texgyre fonts-urw-base35
  # Signing tests: a PKCS#11 token in software (SoftHSM2) and the tools to load it.
  softhsm2 opensc
  # For the scale-out tests: a Prefect server on PostgreSQL; and search on PostgreSQL (unaccent).
  postgresql
  # Browser tests of sohoa review: Debian's chromium and its WebDriver (driven by selenium).
  chromium chromium-driver
  # Fault tests: a process whose clock is hours off (libfaketime), a full disk (util-linux's
  # unshare mounts a small tmpfs in a namespace of its own, without root).
  faketime util-linux
)

runtime=0
list=0
if [ "${SOHOA_PACKAGES:-}" = "runtime" ]; then runtime=1; fi
for arg in "$@"; do
  case "$arg" in
    --runtime) runtime=1 ;;
    --list) list=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-system-packages.sh: unknown option: $arg" >&2; exit 2 ;;
  esac
done

PACKAGES=("${RUNTIME_PACKAGES[@]}")
if [ "$runtime" -eq 0 ]; then PACKAGES+=("${OTHER_PACKAGES[@]}"); fi

if [ "$list" -eq 1 ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

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

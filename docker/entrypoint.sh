#!/bin/sh
# Entry point of the sohoa image: `docker run IMAGE worker` runs `sohoa worker`.
#
# 1. An empty SOHOA_* or PREFECT_* variable counts as unset: compose passes an optional
#    setting left empty in .env as "", which would otherwise be read as a value.
# 2. A secret mounted as a file reaches sohoa through the variable it reads: NAME_FILE=PATH
#    sets NAME to the file's content (without its trailing newline), for the names below.
# 3. sohoa, python, prefect or a shell runs as given; anything else is a sohoa command.
set -eu

for name in $(env | sed -n 's/^\(\(SOHOA\|PREFECT\)_[A-Za-z0-9_]*\)=$/\1/p'); do
  unset "$name"
done

for name in \
  SOHOA_SIGNING__PKCS12_PASSWORD \
  SOHOA_SIGNING__PKCS11_PIN \
  SOHOA_STORAGE__ACCESS_KEY \
  SOHOA_STORAGE__SECRET_KEY \
  PREFECT_API_AUTH_STRING \
  PREFECT_SERVER_API_AUTH_STRING
do
  eval "file=\${${name}_FILE:-}"
  if [ -z "$file" ]; then
    continue
  fi
  if [ ! -r "$file" ]; then
    echo "sohoa: ${name}_FILE: cannot read $file as uid $(id -u) (owner and mode of the secret file?)" >&2
    exit 78
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done
unset name file value 2>/dev/null || true

case "${1:-}" in
  sohoa | python | python3 | prefect | sh | bash) exec "$@" ;;
  *) exec sohoa "$@" ;;
esac

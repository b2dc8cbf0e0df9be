#!/usr/bin/env bash
# The whole of sohoa on this machine, as a commune uses it, on the bundled sample dossiers:
#   set up → development PKI and its timestamp service → embedded S3 (SeaweedFS)
#   → Prefect server → `sohoa serve` (watcher + worker) → the samples dropped into the
#   communes' watch folders → OCR, metadata, PDF/A, signature, archive → done/ → audit.
# Everything listens on 127.0.0.1 and lives in .sohoa/. DEVELOPMENT ONLY keys.
# The services keep running afterwards (to look around); `scripts/demo.sh stop` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/.sohoa"
run="$state/run"
prefect_port="${SOHOA_DEMO_PREFECT_PORT:-4200}"

export SOHOA_STORAGE__DATA_DIR="$state/seaweedfs"
export PREFECT_HOME="$state/prefect"
export PREFECT_API_URL="http://127.0.0.1:$prefect_port/api"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=180

stop_services() {
  for name in serve server tsa; do
    if [ -f "$run/$name.pid" ]; then
      kill -TERM -- "-$(cat "$run/$name.pid")" 2>/dev/null || kill "$(cat "$run/$name.pid")" 2>/dev/null || true
      rm -f "$run/$name.pid"
    fi
  done
  [ -x .venv/bin/sohoa ] && .venv/bin/sohoa storage down || true
}
if [ "${1:-}" = "stop" ]; then
  stop_services
  echo "Đã dừng / stopped."
  exit 0
fi

scripts/setup.sh
mkdir -p "$run"

running() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }
start() {  # name, then the command; its own process group, log in .sohoa/run/NAME.log
  local name=$1; shift
  running "$name" && return 0
  setsid "$@" > "$run/$name.log" 2>&1 < /dev/null &
  echo $! > "$run/$name.pid"
}
wait_port() {  # port, name
  for _ in $(seq 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    running "$2" || break
    sleep 0.5
  done
  echo "$2 did not start (is port $1 taken?): see $run/$2.log" >&2
  tail -20 "$run/$2.log" >&2 || true
  exit 1
}

echo "== 1/5 chứng thư số thử nghiệm / development certificate and timestamp service"
pki="$state/dev-pki"
[ -f "$pki/pki.json" ] || .venv/bin/sohoa dev-pki "$pki"
set -a; . "$pki/signing.env"; set +a
export SOHOA_CONFIG="$pki/signing.yaml"
start tsa .venv/bin/sohoa dev-pki "$pki" --serve
wait_port 9797 tsa

echo "== 2/5 kho S3 / embedded S3 storage (SeaweedFS)"
.venv/bin/sohoa storage up

echo "== 3/5 máy chủ Prefect / Prefect server on PostgreSQL (the first start creates its database)"
start server .venv/bin/sohoa server --port "$prefect_port" --database postgres \
  --database-dir "$state/prefect-postgres" --database-port "${SOHOA_DEMO_POSTGRES_PORT:-54329}"
wait_port "$prefect_port" server
for _ in $(seq 240); do
  curl -sf "$PREFECT_API_URL/health" > /dev/null && break
  sleep 0.5
done

echo "== 4/5 theo dõi thư mục / the watcher and a worker (sohoa serve)"
watch="$state/watch"
export SOHOA_INTAKE__FOLDERS="{\"24958\": \"$watch/24958\", \"30316\": \"$watch/30316\", \"19810\": \"$watch/19810\"}"
export SOHOA_INTAKE__STABLE_SECONDS=3
start serve .venv/bin/sohoa serve --log-dir "$run"
for _ in $(seq 120); do
  [ -d "$watch/19810/processing" ] && break
  running serve || { tail -20 "$run/serve.log" >&2; exit 1; }
  sleep 0.5
done

echo "== 5/5 thả hồ sơ mẫu / dropping the sample dossiers into the watch folders"
drop() {  # sample, commune: copied beside the folder, then moved in at once (as a scanner does)
  local name; name=$(basename "$1")
  rm -rf "$watch/.incoming-$name"
  cp -r "$1" "$watch/.incoming-$name"
  mv "$watch/.incoming-$name" "$watch/$2/$name"
}
before=$(find "$watch"/*/done "$watch"/*/failed -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
drop samples/ho-so-01 24958
drop samples/ho-so-02-dien-thoai 30316
drop samples/ho-so-03-photocopy.tif 19810
expected=$((before + 3))
started=$(date +%s)
said=""
while :; do
  finished=$(find "$watch"/*/done "$watch"/*/failed -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  waiting=$(find "$watch"/*/processing -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  line=$(printf '   %d/3 xong / finished, %d đang xử lý / in progress' "$((finished - before))" "$waiting")
  if [ -t 1 ]; then  # a terminal: one line, updated in place; a log: a line per change
    printf '\r%s, %ds ' "$line" "$(( $(date +%s) - started ))"
  elif [ "$line" != "$said" ]; then
    echo "$line ($(( $(date +%s) - started ))s)"
  fi
  said=$line
  [ "$finished" -ge "$expected" ] && break
  if [ $(( $(date +%s) - started )) -gt 900 ]; then
    echo; echo "Timed out: see $run/serve.log and $run/worker-1.log" >&2; exit 1
  fi
  running serve || { echo; tail -20 "$run/serve.log" >&2; exit 1; }
  sleep 1
done
echo

failed=$(find "$watch"/*/failed -name reason.txt -newer "$run/serve.pid" 2>/dev/null || true)
if [ -n "$failed" ]; then
  echo "Không thành công / failed:" >&2
  for f in $failed; do cat "$f" >&2; done
  exit 1
fi
.venv/bin/sohoa audit --all

cat <<EOF

Xong / done. Where to look:
  Prefect UI          http://127.0.0.1:$prefect_port  (flow runs hoso-<commune>-<dossier>, artifacts)
  archive bucket      s3://sohoa-archive at http://127.0.0.1:8333 (credentials: $SOHOA_STORAGE__DATA_DIR/credentials.json)
  watch folders       $watch/<commune>/   (drop more dossiers here)
  done / failed       $watch/<commune>/done/<claim>/receipt.json, failed/<claim>/reason.txt
  logs                $run/
Stop everything:      scripts/demo.sh stop
EOF

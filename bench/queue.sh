#!/usr/bin/env bash
# The filtered review-queue page (50 rows) over 100,000 profiles on SQLite.
#   bench/queue.sh [PROFILES=100000] [DURATION=10s]
# Seeds with `hrms demo seed`, then wrk -t1 -c8 on several filters; prints p50/p99 per filter.
# HRMS_BIN=path measures that server binary instead of building the release tree.
source "$(dirname "$0")/../scripts/lib.sh"
N=${1:-100000}
DUR=${2:-10s}
OUT="${BENCH_OUT:-/tmp/hrms-bench}"
mkdir -p "$OUT"
ensure_packages "${BUILD_PACKAGES[@]}" wrk
if [ -n "${HRMS_BIN:-}" ]; then
  HRMS=$HRMS_BIN  # a server binary built elsewhere (an older build, to compare): no build here
  DATA="$OUT/queue-data-$N-$(basename "$HRMS_BIN")"
else
  build release
  HRMS="$ROOT/build/release/bin/hrms"
  DATA="$OUT/queue-data-$N"
fi
if [ ! -f "$DATA/hrms.db" ]; then
  HRMS_DATA_DIR="$DATA" "$HRMS" demo seed --employees "$N" >/dev/null
fi
HRMS_DATA_DIR="$DATA" HRMS_LISTEN=127.0.0.1:18184 HRMS_LOG_LEVEL=warn HRMS_ADMIN_EMAIL=bench@example.com \
  HRMS_ADMIN_PASSWORD=bench-password-123 "$HRMS" serve 2>/dev/null & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18184/healthz && break; sleep 0.1; done
TOKEN=$(curl -s -X POST http://127.0.0.1:18184/api/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-123"}' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
for q in "stage=documents&status=submitted" "status=submitted&overdue=true" "assignee=2" "q=hopper" "stage=final&q=ada"; do
  url="http://127.0.0.1:18184/api/v1/profiles?$q&limit=50"
  wrk -t1 -c8 -d2s -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
  out=$(wrk -t1 -c8 -d"$DUR" --latency -H "Authorization: Bearer $TOKEN" "$url")
  echo "$q: req/s=$(echo "$out" | awk '/^Requests\/sec/{print $2}') p50=$(echo "$out" | awk '$1=="50%"{print $2}') p99=$(echo "$out" | awk '$1=="99%"{print $2}') $(echo "$out" | grep -E 'Non-2xx' || true)"
done

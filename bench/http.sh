#!/usr/bin/env bash
# GET /healthz and authenticated GET /api/v1/auth/me on SQLite, side by side with the
# yardsticks in ../shared/peers (Beast ceiling, FastAPI + uvicorn at its best), in one run.
#   bench/http.sh [RUNS=3] [DURATION=10s]
#   HRMS_BASELINE=/path/to/older/hrms bench/http.sh   also measures an older build, interleaved
#                                                     (to see what a change costs)
# wrk -t1 -c64 on loopback; each configuration measured RUNS times, interleaved; medians and
# ratios go to $BENCH_OUT/http_summary.txt (default /tmp/hrms-bench).
source "$(dirname "$0")/../scripts/lib.sh"
RUNS=${1:-3}
DUR=${2:-10s}
PEERS="$ROOT/../shared/peers"
OUT="${BENCH_OUT:-/tmp/hrms-bench}"
mkdir -p "$OUT"

ensure_packages "${BUILD_PACKAGES[@]}" wrk python3-fastapi python3-uvicorn python3-uvloop \
  python3-httptools libboost-json1.81-dev libsqlite3-dev
build release
HRMS="$ROOT/build/release/bin/hrms"

[ -x "$OUT/beast_server" ] || g++ -std=c++20 -O2 -o "$OUT/beast_server" "$PEERS/beast_server.cpp" \
  -lboost_json -lsqlite3 -pthread
[ -f "$OUT/users.db" ] || /usr/bin/python3 "$PEERS/mkdb.py" "$OUT/users.db" >/dev/null

# hrms data: 10,000 users with a session each (the same table size as the peers' users.db).
rm -rf "$OUT/hrms-data"
HRMS_DATA_DIR="$OUT/hrms-data" "$HRMS" migrate >/dev/null
TOKEN=$(/usr/bin/python3 "$ROOT/bench/seed_auth.py" "$OUT/hrms-data/hrms.db" 10000)
if [ -n "${HRMS_BASELINE:-}" ]; then
  rm -rf "$OUT/base-data"
  HRMS_DATA_DIR="$OUT/base-data" "$HRMS_BASELINE" migrate >/dev/null
  BASE_TOKEN=$(/usr/bin/python3 "$ROOT/bench/seed_auth.py" "$OUT/base-data/hrms.db" 10000)
fi

wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.1; done; return 1; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

RUNS_TSV="$OUT/http_runs.tsv"
echo -e "server\tendpoint\trun\treq_s\tp50_ms\tp99_ms\tnoise" > "$RUNS_TSV"
measure() {  # measure LABEL PORT PID PATH [HEADER]
  local label=$1 port=$2 pid=$3 path=$4 hdr=${5:-} out
  local args=(-t1 -c64 --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  wrk "${args[@]}" -d2s "http://127.0.0.1:$port$path" >/dev/null
  out=$(/usr/bin/python3 "$PEERS/measure.py" --server-pid "$pid" -- wrk "${args[@]}" -d"$DUR" "http://127.0.0.1:$port$path")
  if echo "$out" | grep -q "Non-2xx"; then echo "$label $path: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  local rps p50 p99 noise
  rps=$(echo "$out" | awk '/^Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  noise=$(echo "$out" | grep '^NOISE' | sed 's/^NOISE //')
  echo -e "$label\t$path\t$RUN\t$rps\t$p50\t$p99\t$noise" | tee -a "$RUNS_TSV"
}

for RUN in $(seq 1 "$RUNS"); do
  "$OUT/beast_server" 18181 "$OUT/users.db" 2 2>/dev/null & pid=$!
  wait_http 18181; measure beast_t2 18181 $pid /healthz; measure beast_t2 18181 $pid /me; stop $pid

  (cd "$PEERS" && exec env USERS_DB="$OUT/users.db" /usr/bin/python3 -m uvicorn py_app:app \
     --host 127.0.0.1 --port 18182 --workers 1 --http httptools --loop uvloop --no-access-log \
     --log-level warning) 2>/dev/null & pid=$!
  wait_http 18182; measure fastapi_best 18182 $pid /healthz; measure fastapi_best 18182 $pid /me_async; stop $pid

  # With a baseline, the two builds swap places every run (ABBA...), so neither always runs
  # second; the earlier fixed order showed a 4 % difference that swapping the order removed.
  order=(current baseline)
  [ $((RUN % 2)) -eq 0 ] && order=(baseline current)
  for which in "${order[@]}"; do
    if [ "$which" = current ]; then
      HRMS_DATA_DIR="$OUT/hrms-data" HRMS_LISTEN=127.0.0.1:18183 HRMS_LOG_LEVEL=warn "$HRMS" serve 2>/dev/null & pid=$!
      wait_http 18183; measure hrms 18183 $pid /healthz
      measure hrms 18183 $pid /api/v1/auth/me "Authorization: Bearer $TOKEN"; stop $pid
    elif [ -n "${HRMS_BASELINE:-}" ]; then
      HRMS_DATA_DIR="$OUT/base-data" HRMS_LISTEN=127.0.0.1:18184 HRMS_LOG_LEVEL=warn "$HRMS_BASELINE" serve 2>/dev/null & pid=$!
      wait_http 18184; measure hrms_baseline 18184 $pid /healthz
      measure hrms_baseline 18184 $pid /api/v1/auth/me "Authorization: Bearer $BASE_TOKEN"; stop $pid
    fi
  done
done

/usr/bin/python3 - "$RUNS_TSV" <<'PY' | tee "$OUT/http_summary.txt"
import csv, statistics, sys
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {}
for key in sorted({(r["server"], r["endpoint"]) for r in rows}):
    rs = [r for r in rows if (r["server"], r["endpoint"]) == key]
    med[key] = (statistics.median(float(r["req_s"]) for r in rs),
                statistics.median(ms(r["p50_ms"]) for r in rs),
                statistics.median(ms(r["p99_ms"]) for r in rs))
    print(f"{key[0]:14} {key[1]:18} runs={len(rs)} req/s={med[key][0]:9.0f} p50={med[key][1]:.2f}ms p99={med[key][2]:.2f}ms")
me = med[("hrms", "/api/v1/auth/me")][0]
beast = med[("beast_t2", "/me")][0]
fast = med[("fastapi_best", "/me_async")][0]
print(f"hrms /me vs Beast /me ceiling: {me / beast:.2f}x (target >= 0.50)")
print(f"hrms /me vs FastAPI best /me_async: {me / fast:.2f}x (target >= 2.00)")
print(f"hrms /me p99: {med[('hrms', '/api/v1/auth/me')][2]:.2f} ms (target < 5)")
if ("hrms_baseline", "/api/v1/auth/me") in med:
    for ep in ("/healthz", "/api/v1/auth/me"):
        print(f"hrms {ep} vs baseline build: {med[('hrms', ep)][0] / med[('hrms_baseline', ep)][0]:.2f}x")
PY

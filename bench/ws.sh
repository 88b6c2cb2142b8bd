#!/usr/bin/env bash
# WebSocket fan-out on /api/v1/ws: SESSIONS admin sockets open at once (time, server memory per
# socket), EVENTS timed profile submits each delivered to every socket (p50/p90/p99/max from the
# submit to each socket's read), then a reconnect storm: all sockets close, MISSED submits happen,
# all reconnect with ?after=<last id seen> and must replay exactly those.
#   bench/ws.sh [SESSIONS=10000] [EVENTS=20] [MISSED=10]
# Starts its own server on SQLite in a fresh data directory (port $WS_PORT, default 18185); the
# load client is bench/ws_load.cpp, built here with g++ (extra flags for it in $WS_LOAD_ARGS, e.g.
# "--threads 2"). Output goes to $BENCH_OUT (default /tmp/hrms-bench): ws_run.txt (the client's
# report), ws_summary.txt (its RESULT line), ws_server.log. HRMS_BIN=path runs that server binary
# instead of building the release tree.
source "$(dirname "$0")/../scripts/lib.sh"
SESSIONS=${1:-10000}
EVENTS=${2:-20}
MISSED=${3:-10}
PORT=${WS_PORT:-18185}
OUT="${BENCH_OUT:-/tmp/hrms-bench}"
mkdir -p "$OUT"

ensure_packages "${BUILD_PACKAGES[@]}"
if [ -n "${HRMS_BIN:-}" ]; then
  HRMS=$HRMS_BIN  # a server binary built elsewhere: no build here
else
  build release
  HRMS="$ROOT/build/release/bin/hrms"
fi

if [ ! -x "$OUT/ws_load" ] || [ "$ROOT/bench/ws_load.cpp" -nt "$OUT/ws_load" ]; then
  g++ -std=c++20 -O2 -Wall -Wextra -pthread "$ROOT/bench/ws_load.cpp" -o "$OUT/ws_load" -lboost_json
fi

# One descriptor per socket on each side: raise the limit (inherited by server and client) as far
# as the hard limit allows.
hard=$(ulimit -Hn)
want=65536
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want"
if [ "$want" -lt $((SESSIONS + 256)) ]; then
  echo "ulimit -n can only reach $want: too few for $SESSIONS sessions" >&2; exit 1
fi

if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; then
  echo "port $PORT is already in use (set WS_PORT)" >&2; exit 1
fi

DATA=$(mktemp -d "$OUT/ws-data.XXXXXX")
PASSWORD=bench-password-123
pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

# The login throttle is per IP and every login here comes from 127.0.0.1: widen it so the
# EVENTS + MISSED employee logins of the setup do not wait on it.
HRMS_DATA_DIR="$DATA" HRMS_LISTEN="127.0.0.1:$PORT" HRMS_LOG_LEVEL=warn \
  HRMS_ADMIN_EMAIL=bench@example.com HRMS_ADMIN_PASSWORD="$PASSWORD" \
  HRMS_LOGIN_RATE_PER_IP=100 HRMS_LOGIN_BURST_PER_IP=1000 \
  "$HRMS" serve 2> "$OUT/ws_server.log" & pid=$!
up=0
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" != 1 ]; then echo "the server did not come up; see $OUT/ws_server.log" >&2; exit 1; fi

TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\"}" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') ||
  { echo "admin login failed; see $OUT/ws_server.log" >&2; exit 1; }

# The client makes the EVENTS + MISSED employees itself (create, log in, save details), then
# opens the sockets, times the submits and runs the reconnect storm.
set +e
# shellcheck disable=SC2086  # WS_LOAD_ARGS is a list of flags
"$OUT/ws_load" --host 127.0.0.1 --port "$PORT" --token "$TOKEN" --server-pid "$pid" \
  --sessions "$SESSIONS" --events "$EVENTS" --reconnect-missed "$MISSED" --password "$PASSWORD" \
  ${WS_LOAD_ARGS:-} | tee "$OUT/ws_run.txt"
status=${PIPESTATUS[0]}
set -e
grep '^RESULT' "$OUT/ws_run.txt" > "$OUT/ws_summary.txt" || true
if [ "$status" != 0 ]; then echo "ws_load reported failures (exit $status)" >&2; fi
# Stop the server here (not in the trap) to check it shuts down cleanly after the load.
if ! kill -0 "$pid" 2>/dev/null; then
  echo "the server died during the run; see $OUT/ws_server.log" >&2; status=1
else
  kill "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
  if [ "$rc" != 0 ] && [ "$rc" != 143 ]; then
    echo "the server exited with status $rc on SIGTERM; see $OUT/ws_server.log" >&2; status=1
  fi
fi
exit "$status"

#!/usr/bin/env bash
# WebSocket broadcast to 10,000 sockets: hrms (bench/ws.sh) and the bare Beast broadcast of
# ../shared/peers (beast_server + its ws_load), interleaved on this machine, RUNS times each.
#   bench/ws_vs_peer.sh [RUNS=3] [SESSIONS=10000]
# hrms: 20 timed events caused through the API (a submit whose admin.new_submission reaches
# every admin session), dashboards on, then the reconnect storm of ws.sh with 10 missed each.
# Peer: 20 POST /broadcast of one 230-byte message. Both report, per event, the time to the last
# socket (p50 and p99 by nearest rank: over 20 events the p99 is the slowest). Medians of the
# runs and the ratio go to $BENCH_OUT/ws_vs_peer.txt (default /tmp/hrms-bench).
source "$(dirname "$0")/../scripts/lib.sh"
RUNS=${1:-3}
SESSIONS=${2:-10000}
PEERS="$ROOT/../shared/peers"
OUT="${BENCH_OUT:-/tmp/hrms-bench}"
PEER_PORT=${PEER_PORT:-18186}
mkdir -p "$OUT"

ensure_packages "${BUILD_PACKAGES[@]}" libboost-json1.81-dev libsqlite3-dev
build release
[ -x "$OUT/beast_server" ] || g++ -std=c++20 -O2 -o "$OUT/beast_server" "$PEERS/beast_server.cpp" \
  -lboost_json -lsqlite3 -pthread
[ -x "$OUT/peer_ws_load" ] || g++ -std=c++20 -O2 -o "$OUT/peer_ws_load" "$PEERS/ws_load.cpp" -pthread
[ -f "$OUT/users.db" ] || /usr/bin/python3 "$PEERS/mkdb.py" "$OUT/users.db" >/dev/null

hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi

TSV="$OUT/ws_vs_peer.tsv"
echo -e "run\twho\tlast_p50_ms\tlast_p99_ms\tdelivery_p99_ms\tkib_per_session\treconnect_s" > "$TSV"
field() { echo "$1" | grep -o "$2=[0-9.]*" | head -1 | cut -d= -f2; }
for run in $(seq 1 "$RUNS"); do
  HRMS_BIN="$ROOT/build/release/bin/hrms" bash "$ROOT/bench/ws.sh" "$SESSIONS" 20 10 > "$OUT/ws_vs_peer_hrms_$run.txt" 2>&1 ||
    { echo "bench/ws.sh failed: see $OUT/ws_vs_peer_hrms_$run.txt" >&2; exit 1; }
  r=$(grep '^RESULT' "$OUT/ws_vs_peer_hrms_$run.txt")
  echo -e "$run\thrms\t$(field "$r" last_socket_p50_ms)\t$(field "$r" last_socket_p99_ms)\t$(field "$r" lat_p99_ms)\t$(field "$r" kib_per_session)\t$(field "$r" replay_all_s)" | tee -a "$TSV"
  sleep 1

  "$OUT/beast_server" "$PEER_PORT" "$OUT/users.db" 2 2> "$OUT/ws_vs_peer_beast_$run.log" & spid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PEER_PORT/healthz" && break; sleep 0.1; done
  r=$("$OUT/peer_ws_load" 127.0.0.1 "$PEER_PORT" "$SESSIONS" "$spid" 20 256 200 2>&1 | grep '^RESULT' || true)
  kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
  [ -n "$r" ] || { echo "the peer run failed" >&2; exit 1; }
  kib=$(awk -v b="$(field "$r" per_conn_bytes)" 'BEGIN{printf "%.1f", b/1024}')
  echo -e "$run\tbeast\t$(field "$r" last_rx_p50_ms)\t$(field "$r" last_rx_p99_ms)\t-\t$kib\t-" | tee -a "$TSV"
  sleep 1
done

/usr/bin/python3 - "$TSV" > "$OUT/ws_vs_peer.txt" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {}
for who in ("hrms", "beast"):
    rs = [r for r in rows if r["who"] == who]
    med[who] = {k: statistics.median(float(r[k]) for r in rs) for k in ("last_p50_ms", "last_p99_ms", "kib_per_session")}
    print(f"{who}: {len(rs)} runs; last socket p50 {med[who]['last_p50_ms']:.1f} ms, p99 {med[who]['last_p99_ms']:.1f} ms; "
          f"{med[who]['kib_per_session']:.1f} KiB per idle socket")
print(f"hrms / beast: last socket p50 x{med['hrms']['last_p50_ms'] / med['beast']['last_p50_ms']:.2f}, "
      f"p99 x{med['hrms']['last_p99_ms'] / med['beast']['last_p99_ms']:.2f}")
PY
cat "$OUT/ws_vs_peer.txt"

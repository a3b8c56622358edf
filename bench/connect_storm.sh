#!/usr/bin/env bash
# Connect storm (issue 15, target 5): STORM clients (default 5,000) of existing users connect
# and authenticate with their session tokens within about one second, while loadgen's everyday
# load (scenario A: 200 clients, rooms of 10, 2,000 msg/s) runs on already-connected clients.
# Reports how long until every storm client was ready and loadgen's p99 over a window that
# contains the storm. Users and tokens are created first over the HTTP API (not measured:
# bench/chat-bench/connect-storm.mjs prepare); the storm is bench/connect_storm_client.cpp.
#
#   bench/connect_storm.sh [--server chatd|node-ref] [--storm N] [--over S] [--rate R]
#                          [--clients C] [--rooms K] [--duration S]
#   CHATD       chatd binary (default build-bench/apps/chatd/chatd)
#   STORM_CLIENT the storm's client (default build-bench/bench/connect_storm_client, C++; Node's
#               `ws` needed ~0.4 ms of CPU per connection, more than the server, on the same cores)
#   CHATD_ARGS  more chatd options
#   PERF_OUT    if set, `perf record` the server (call graphs) during the storm into this file
#
# The load's window (--duration, default 6 s, after loadgen's 2 s warmup) starts about 1 s
# before the storm, so the storm and the seconds after it fall inside it. node-ref (Node ws,
# no database) checks tokens it issued itself (POST /login, /ws?token=); it has no passwords.
# Progress goes to stderr; the last line is the one-line summary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
perf=${PERF_DIR:-$root/../shared/perf}
server=chatd storm=5000 over=1 rate=2000 clients=200 rooms=20 duration=6
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --storm) storm=$2; shift 2 ;;
    --over) over=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --rooms) rooms=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
chatd=${CHATD:-$root/build-bench/apps/chatd/chatd}
client=${STORM_CLIENT:-$root/build-bench/bench/connect_storm_client}
[[ -x $client ]] || { echo "build connect_storm_client first (target connect_storm_client)" >&2; exit 1; }
[[ $server == node-ref || -x $chatd ]] || { echo "build chatd first (target chatd)" >&2; exit 1; }
make -s -C "$perf" >/dev/null
tool=$root/bench/chat-bench
[[ -d $tool/node_modules/ws ]] || (cd "$tool" && npm ci --no-audit --no-fund --loglevel=error)
[[ $server == node-ref && ! -d $perf/node-ref/node_modules ]] && make -s -C "$perf" node >/dev/null
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "connect_storm: $*" >&2; }

port=$((20000 + RANDOM % 20000))
if [[ $server == chatd ]]; then
  # As bench/compare_peers.sh: cheap password hashing for the setup, limits above the offered
  # load, and every client comes from 127.0.0.1 (no per-address limits). CHATD_ARGS is split.
  # shellcheck disable=SC2086
  "$chatd" --listen "127.0.0.1:$port" --data-dir "$work/data" --password-cost minimum \
    --rate 100000 --burst 100000 --max-queued-requests 100000 --log-level warn \
    --max-queue-frames 100000 --max-connections-per-address 0 \
    --password-rate-per-address 100000 --password-burst-per-address 100000 \
    --password-rate 100000 --password-burst 100000 ${CHATD_ARGS:-} >"$work/server.log" 2>&1 &
  adapter=$root/bench/loadgen/chatd.json health=/healthz
elif [[ $server == node-ref ]]; then
  node "$perf/node-ref/server.js" --port "$port" --db none >"$work/server.log" 2>&1 &
  adapter=$perf/adapters/node-ref.json health=/health
else
  echo "--server chatd or node-ref" >&2; exit 2
fi
srv=$!
pids+=("$srv")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port$health" >/dev/null 2>&1 && break
  sleep 0.1
done
say "$server pid $srv on port $port"

say "creating $storm users and their tokens (not measured)"
node "$tool/connect-storm.mjs" prepare --server "$server" --url "http://127.0.0.1:$port" \
  --users "$storm" --tokens "$work/tokens" >/dev/null

say "loadgen: $clients clients, $rooms rooms, $rate msg/s, 2 s warmup + ${duration} s window"
"$perf/bin/loadgen" --port "$port" --adapter "$adapter" --clients "$clients" --rooms "$rooms" \
  --rate "$rate" --duration "$duration" --warmup 2 --server-pid "$srv" --json \
  >"$work/loadgen.out" 2>&1 &
lg=$!
pids+=("$lg")
# loadgen sends only once all its clients are ready: wait for its connections, then for the
# warmup and one second of the window.
for _ in $(seq 600); do
  n=$(ss -Htn state established "( sport = :$port )" | wc -l)
  [[ $n -ge $clients ]] && break
  sleep 0.05
done
sleep 3.5
say "storm: $storm clients over $over s"
if [[ -n ${PERF_OUT:-} ]]; then
  perf record -q -e cpu-clock -F 2000 -g -p "$srv" -o "$PERF_OUT" -- sleep 4 2>/dev/null &
  pids+=("$!")
fi
"$client" --server "$server" --port "$port" --tokens "$work/tokens" --over "$over" \
  --hold $((duration + 2)) >"$work/storm.out"
wait "$lg" || true
grep -v '^{' "$work/loadgen.out" >&2 || true
storm_json=$(tail -1 "$work/storm.out")
load_json=$(grep '^{' "$work/loadgen.out" | tail -1)
[[ -n $load_json ]] || { say "loadgen gave no result"; exit 1; }
rss=$(awk '/VmHWM/ {print $2}' "/proc/$srv/status" 2>/dev/null || echo "?")
# shellcheck disable=SC2016
node -e '
const s = JSON.parse(process.argv[1]), l = JSON.parse(process.argv[2]);
const lat = l.lat_us || {};
const f0 = (v) => (v === null ? "-" : v.toFixed(0));
const p99 = lat.p99 !== undefined ? (lat.p99 / 1000).toFixed(1) : "?";
const all = s.all_ready_s === null ? `not all ready (${s.ready}/${s.clients}, ${s.failed} failed)` : `all ${s.clients} ready in ${s.all_ready_s.toFixed(2)} s`;
console.log(`connect_storm ${process.argv[3]}: ${s.clients} token logins over ${s.over_s} s: ${all} ` +
  `(connect to ready p50 ${f0(s.connect_to_ready_ms.p50)} ms, p99 ${f0(s.connect_to_ready_ms.p99)} ms; all started after ${s.started_in_s.toFixed(2)} s; storm client ${s.client_cpu_s.toFixed(2)} s CPU); ` +
  `load ${l.clients ?? ""} clients at ${l.rate ?? "?"} msg/s: p99 ${p99} ms, missing ${l.missing ?? "?"}, server VmHWM ${process.argv[4]} KiB`);
' "$storm_json" "$load_json" "$server" "$rss"

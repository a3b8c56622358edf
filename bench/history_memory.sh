#!/usr/bin/env bash
# Does chatd's memory grow with history? Starts one chatd (SQLite in a temp dir, or MariaDB
# with CHATD_DB=mysql), then runs ROUNDS loadgen rounds against it (new users and rooms each
# round, so every round adds history), and prints chatd's VmRSS and the messages stored after
# each round. Usage: bench/history_memory.sh [ROUNDS] [loadgen args...]
#   default: 4 rounds of --clients 200 --rooms 20 --rate 4000 --duration 15 (60,000 messages)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
perf_dir=${PERF_DIR:-$root/../shared/perf}
chatd=${CHATD:-$root/build-bench/apps/chatd/chatd}
rounds=${1:-4}
shift || true
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--clients 200 --rooms 20 --rate 4000 --duration 15)
make -s -C "$perf_dir" >/dev/null
data=$(mktemp -d /tmp/chatd-history.XXXXXX)
db=()
if [[ ${CHATD_DB:-sqlite} == mysql ]]; then
  "$perf_dir/mariadb.sh" start "$data/mdb" >/dev/null
  eval "$("$perf_dir/mariadb.sh" env "$data/mdb")"
  db=(--db "mysql://db=chat user=chat password=chat unix_socket=$MYSQL_SOCKET charset=utf8mb4")
fi
port=$((20000 + RANDOM % 10000))
cleanup() {
  [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -d $data/mdb ]] && "$perf_dir/mariadb.sh" stop "$data/mdb" >/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
env -u MYSQL_HOST -u MYSQL_PORT "$chatd" --listen "127.0.0.1:$port" --data-dir "$data" \
  --password-cost minimum --rate 100000 --burst 100000 --log-level warn \
  --max-queue-frames 100000 "${db[@]}" >"$data/chatd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
metric() { curl -fs "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "| after round | messages stored | chatd VmRSS KiB | delivered / expected | p99 µs |"
echo "|---:|---:|---:|---:|---:|"
echo "| 0 | $(metric chatd_engine_messages_committed_total) | $(rss) | - | - |"
for round in $(seq "$rounds"); do
  # Users and rooms of their own each round: loadgen's names are fixed, the adapter's are not.
  sed -e "s/user{i}/r${round}u{i}/g" -e "s/\"name\": \"{room}\"/\"name\": \"r${round}{room}\"/" \
    "$root/bench/loadgen/chatd.json" >"$data/adapter.json"
  "$perf_dir/bin/loadgen" --port "$port" --adapter "$data/adapter.json" --server-pid "$pid" \
    "${args[@]}" --json >"$data/round.txt" 2>/dev/null || true
  summary=$(tail -1 "$data/round.txt")
  field() { grep -o "\"$1\":[0-9.]*" <<<"$summary" | head -1 | cut -d: -f2; }
  delivered=$(field delivered) expected=$(field expected) p99=$(field p99)  # latency p99 first
  echo "| $round | $(metric chatd_engine_messages_committed_total) | $(rss) | $delivered / $expected | $p99 |"
done

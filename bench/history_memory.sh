#!/usr/bin/env bash
# Does chatd's memory grow with history? Starts one chatd (SQLite in a temp dir, or MariaDB
# with BENCH_DB=mysql), then runs ROUNDS loadgen rounds against it (new users and rooms each
# round, so every round adds history), and prints chatd's VmRSS and the messages stored after
# each round. Usage: bench/history_memory.sh [ROUNDS] [loadgen args...]
#   default: 4 rounds of --clients 200 --rooms 20 --rate 4000 --duration 15 (60,000 messages)
set -euo pipefail
rounds=${1:-4}
shift || true
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--clients 200 --rooms 20 --rate 4000 --duration 15)
# shellcheck source=bench/lib/chatd_instance.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/chatd_instance.sh"
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

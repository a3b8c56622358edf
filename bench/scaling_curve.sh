#!/usr/bin/env bash
# The sizing tables of docs/performance.md: CPU per delivery and p99 against room size (2, 10,
# 100, 1000 members at about 10,000 deliveries/s) and against the number of connections (rooms
# of 10, 1,000 msg/s), chatd next to floor-ref in each run. Runs bench/compare_peers.sh once per
# point; extra arguments go to every run (e.g. --duration 10). Results: $OUT (default a temp dir).
#   SERVERS   default "floor custom"; CHATD, BENCH_DB, CHATD_ARGS as for compare_peers.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$(mktemp -d /tmp/chatd-scaling.XXXXXX)}
mkdir -p "$out"
export SERVERS=${SERVERS:-floor custom}
run() {  # name, then compare.sh arguments
  local name=$1
  shift
  "$root/bench/compare_peers.sh" --quiet-wait 10 --retries 1 --duration 5 --out "$out/$name" "$@" \
    "${extra[@]}" >"$out/$name.log" 2>&1 || echo "scaling: $name failed (see $out/$name.log)" >&2
  grep '^| [a-z]' "$out/$name.log" | grep -v '^| server' | sed "s/^/| $name /"
}
extra=("$@")
echo "| point | server | ready | sent | deliv/s | missing | dup | p50 µs | p99 µs | p99.9 µs | max µs | srv CPU % | srv CPU µs/deliv | +DB CPU µs/deliv | srv peak RSS MiB | loadgen CPU % | other CPU % |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
run room2 --clients 200 --rooms 100 --rate 5000
run room10 --clients 200 --rooms 20 --rate 1000
run room100 --clients 1000 --rooms 10 --rate 100
run room1000 --clients 1000 --rooms 1 --rate 10
for n in 100 1000 5000 10000; do
  run "conns$n" --clients "$n" --rooms "$((n / 10))" --rate 1000
done
echo "raw results in $out" >&2

#!/usr/bin/env bash
# Profiles chatd under a loadgen scenario: starts chatd (SQLite in a temp dir, or MariaDB with
# BENCH_DB=mysql), runs ../shared/perf/bin/loadgen with bench/loadgen/chatd.json, and records
# the measured window with `perf record` (software clock, call graphs from frame pointers, so
# build with -fno-omit-frame-pointer). Prints the top of the report.
#   bench/profile_chatd.sh [loadgen args...]   e.g. --clients 200 --rooms 20 --rate 2000
#   CHATD      chatd binary (default build-bench/apps/chatd/chatd)
#   OUT        where perf.data and the report go (default a temp dir, printed)
#   CHATD_ARGS extra chatd options
set -euo pipefail
out=${OUT:-$(mktemp -d /tmp/chatd-profile.XXXXXX)}
mkdir -p "$out"
# shellcheck source=bench/lib/chatd_instance.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/chatd_instance.sh"
"$perf_dir/bin/loadgen" --port "$port" --adapter "$root/bench/loadgen/chatd.json" \
  --server-pid "$pid" "$@" >"$out/loadgen.txt" &
lg=$!
# Record from the end of setup (every client connected, then loadgen's warmup) to its end.
clients=$(printf '%s\n' "$@" | grep -A1 -x -- --clients | tail -1)
until [[ $(curl -fs "http://127.0.0.1:$port/metrics" | awk '$1 == "chatd_connections" {print $2}') \
        -ge ${clients:-1} ]] || ! kill -0 "$lg" 2>/dev/null; do sleep 0.2; done
sleep 1
perf record -q -e cpu-clock -F 2000 -g -p "$pid" -o "$out/perf.data" 2>/dev/null &
rec=$!
wait "$lg" || true
kill -INT "$rec"; wait "$rec" || true
cat "$out/loadgen.txt"
perf report -i "$out/perf.data" --no-children --percent-limit 0.7 --stdio --sort dso,symbol \
  -g none 2>/dev/null | grep -v '^$' | head -70 | tee "$out/report.txt"
echo "profile in $out (perf report -i $out/perf.data)"

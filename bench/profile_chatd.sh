#!/usr/bin/env bash
# Profiles chatd under a loadgen scenario: starts chatd (SQLite in a temp dir, or MariaDB with
# CHATD_DB=mysql), runs ../shared/perf/bin/loadgen with bench/loadgen/chatd.json, and records
# the measured window with `perf record` (software clock, call graphs from frame pointers, so
# build with -fno-omit-frame-pointer). Prints the top of the report.
#   bench/profile_chatd.sh [loadgen args...]   e.g. --clients 200 --rooms 20 --rate 2000
#   CHATD      chatd binary (default build-bench/apps/chatd/chatd)
#   OUT        where perf.data and the report go (default a temp dir, printed)
#   CHATD_ARGS extra chatd options
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
perf_dir=${PERF_DIR:-$root/../shared/perf}
chatd=${CHATD:-$root/build-bench/apps/chatd/chatd}
out=${OUT:-$(mktemp -d /tmp/chatd-profile.XXXXXX)}
mkdir -p "$out"
make -s -C "$perf_dir" >/dev/null
data=$(mktemp -d /tmp/chatd-profile-data.XXXXXX)
port=$((20000 + RANDOM % 10000))
db=()
if [[ ${CHATD_DB:-sqlite} == mysql ]]; then
  "$perf_dir/mariadb.sh" start "$data/mdb" >/dev/null
  eval "$("$perf_dir/mariadb.sh" env "$data/mdb")"
  db=(--db "mysql://db=chat user=chat password=chat unix_socket=$MYSQL_SOCKET charset=utf8mb4")
fi
cleanup() {
  [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -d $data/mdb ]] && "$perf_dir/mariadb.sh" stop "$data/mdb" >/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
# shellcheck disable=SC2086
"$chatd" --listen "127.0.0.1:$port" --data-dir "$data" --password-cost minimum --rate 100000 \
  --burst 100000 --log-level warn --max-queue-frames 100000 "${db[@]}" ${CHATD_ARGS:-} &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
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

#!/usr/bin/env bash
# Measures chatd against the reference servers of ../shared/perf (floor-ref: minimal C epoll;
# node-ref: Node ws, with and without MariaDB) in one run of its compare.sh, using the adapter
# bench/loadgen/chatd.json. Extra arguments go to compare.sh (scenario: --clients, --rooms,
# --rate, --duration, --find-max-rate, --idle-only ...).
#   CHATD      chatd binary (default build-bench/apps/chatd/chatd, else build/apps/chatd/chatd)
#   SERVERS    which servers (default "floor node-none node-mysql custom")
#   BENCH_DB   sqlite (default) or mysql: chatd on the throwaway MariaDB compare.sh starts
#   CHATD_ARGS more chatd options (e.g. --threads 1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
perf=${PERF_DIR:-$root/../shared/perf}
chatd=${CHATD:-}
for candidate in "$root/build-bench/apps/chatd/chatd" "$root/build/apps/chatd/chatd"; do
  [[ -z $chatd && -x $candidate ]] && chatd=$candidate
done
[[ -x $chatd ]] || { echo "build chatd first (e.g. ./run.sh, or target chatd)" >&2; exit 1; }
make -s -C "$perf" >/dev/null
[[ ${SERVERS:-} == *node* || -z ${SERVERS:-} ]] && make -s -C "$perf" node >/dev/null

# Benchmarks measure the message path: cheap password hashing for the setup of thousands of
# clients, a rate limit above the offered load, and warnings-only logs.
# Every load generator connects from 127.0.0.1: no per-address limits (docs/security.md).
common="--password-cost minimum --rate 100000 --burst 100000 --max-queued-requests 100000 --log-level warn --max-queue-frames 100000 --max-connections-per-address 0 --password-rate-per-address 100000 --password-burst-per-address 100000 --password-rate 100000 --password-burst 100000 ${CHATD_ARGS:-}"
if [[ ${BENCH_DB:-sqlite} == mysql ]]; then
  export CUSTOM_WITH_DB=1 CUSTOM_LABEL=${CUSTOM_LABEL:-chatd+mariadb}
  export CUSTOM_CMD="$root/bench/loadgen/chatd_on_fresh_mariadb.sh $chatd --listen 127.0.0.1:{port} --data-dir \$(mktemp -d) $common \
--db \"mysql://db=\$MYSQL_DATABASE user=\$MYSQL_USER password=\$MYSQL_PASSWORD unix_socket=\$MYSQL_SOCKET charset=utf8mb4\""
else
  export CUSTOM_LABEL=${CUSTOM_LABEL:-chatd+sqlite}
  export CUSTOM_CMD="$chatd --listen 127.0.0.1:{port} --data-dir \$(mktemp -d) $common"
fi
export CUSTOM_ADAPTER=$root/bench/loadgen/chatd.json
exec "$perf/compare.sh" --servers "${SERVERS:-floor node-none node-mysql custom}" "$@"

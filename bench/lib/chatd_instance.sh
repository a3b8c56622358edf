# Sourced by the bench scripts that drive one chatd of their own: starts it on a random port
# with benchmark settings (SQLite in a temp dir, or a throwaway MariaDB with BENCH_DB=mysql),
# waits until it is ready, and stops everything on exit. Sets root, perf_dir, chatd, data,
# port and pid. Extra chatd options: CHATD_ARGS.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
perf_dir=${PERF_DIR:-$root/../shared/perf}
chatd=${CHATD:-$root/build-bench/apps/chatd/chatd}
make -s -C "$perf_dir" >/dev/null
data=$(mktemp -d /tmp/chatd-bench.XXXXXX)
port=$((20000 + RANDOM % 10000))
db=()
if [[ ${BENCH_DB:-sqlite} == mysql ]]; then
  "$perf_dir/mariadb.sh" start "$data/mdb" >/dev/null
  eval "$("$perf_dir/mariadb.sh" env "$data/mdb")"
  db=(--db "mysql://db=chat user=chat password=chat unix_socket=$MYSQL_SOCKET charset=utf8mb4")
fi
stop_chatd_instance() {
  [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -d $data/mdb ]] && "$perf_dir/mariadb.sh" stop "$data/mdb" >/dev/null
  rm -rf "$data"
}
trap stop_chatd_instance EXIT
# MYSQL_HOST in the environment would make chatd's MariaDB client use TCP instead of the socket.
# shellcheck disable=SC2086
env -u MYSQL_HOST -u MYSQL_PORT "$chatd" --listen "127.0.0.1:$port" --data-dir "$data" \
  --password-cost minimum --rate 100000 --burst 100000 --log-level warn \
  --max-queue-frames 100000 --max-connections-per-address 0 \
  --password-rate-per-address 100000 --password-burst-per-address 100000 \
  --password-rate 100000 --password-burst 100000 "${db[@]}" ${CHATD_ARGS:-} >"$data/chatd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

#!/usr/bin/env bash
# What mariadbd does per message for chatd (issue 15, target 1): statements, transactions, rows
# and redo log per message, from SHOW GLOBAL STATUS around two runs of ../shared/perf's loadgen,
# each on a fresh database of one throwaway MariaDB (tests/support/mariadb.sh): a setup-only run
# (the same sign-ups, logins and joins, no messages) and the measured run; per message is
# (measured - setup) / messages sent.
#   bench/mariadb_work_per_message.sh [LOADGEN OPTIONS]   (default: scenario A, 10 s, no warmup)
#   CHATD   chatd binary (default build-bench/apps/chatd/chatd)
#   CHATD_ARGS more chatd options (e.g. --commit-delay-us 0)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
perf=${PERF_DIR:-$root/../shared/perf}
chatd=${CHATD:-$root/build-bench/apps/chatd/chatd}
[[ -x $chatd ]] || { echo "build chatd first (cmake --build build-bench --target chatd)" >&2; exit 1; }
make -s -C "$perf" >/dev/null
scenario=("$@")
[[ ${#scenario[@]} -gt 0 ]] || scenario=(--clients 200 --rooms 20 --rate 2000 --duration 10)
clients=200 rooms=20
for ((i = 0; i < ${#scenario[@]}; i++)); do
  [[ ${scenario[i]} == --clients ]] && clients=${scenario[i + 1]}
  [[ ${scenario[i]} == --rooms ]] && rooms=${scenario[i + 1]}
done
work=$(mktemp -d)
port=$((20000 + RANDOM % 10000))
"$root/tests/support/mariadb.sh" start "$work/db" $((33700 + RANDOM % 500)) >/dev/null
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  "$root/tests/support/mariadb.sh" stop "$work/db" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
sock=$work/db/mysql.sock
sql() { mariadb --no-defaults --socket="$sock" -uroot -N -e "$1"; }
snapshot() {
  sql "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_begin', 'Com_commit',
       'Com_select', 'Com_insert', 'Com_update', 'Com_delete', 'Handler_write', 'Handler_update',
       'Handler_read_key', 'Innodb_data_fsyncs', 'Innodb_os_log_written')" | sort
}
# Runs chatd on a fresh database and loadgen with the given options; the status deltas go to $1.
measure() {
  local out=$1
  shift
  sql "DROP DATABASE IF EXISTS chat_bench;
       CREATE DATABASE chat_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
  "$chatd" --listen "127.0.0.1:$port" --data-dir "$(mktemp -d -p "$work")" --password-cost minimum \
    --rate 100000 --burst 100000 --max-queued-requests 100000 --log-level warn \
    --max-queue-frames 100000 --max-connections-per-address 0 --password-rate-per-address 100000 \
    --password-burst-per-address 100000 --password-rate 100000 --password-burst 100000 \
    ${CHATD_ARGS:-} --db "mysql://db=chat_bench user=chat password=chat unix_socket=$sock charset=utf8mb4" >/dev/null &
  pid=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  snapshot >"$work/before"
  "$perf/bin/loadgen" --port "$port" --adapter "$root/bench/loadgen/chatd.json" --quiet "$@" \
    >"$out.loadgen" 2>&1
  sleep 1
  snapshot >"$work/after"
  kill "$pid" && wait "$pid" 2>/dev/null || true
  pid=
  join "$work/before" "$work/after" | awk '{print $1, $3 - $2}' >"$out"
}
echo "setup-only run (--clients $clients --rooms $rooms) ..." >&2
measure "$work/setup" --clients "$clients" --rooms "$rooms" --idle-only --hold 1
echo "measured run (${scenario[*]}) ..." >&2
measure "$work/full" "${scenario[@]}" --warmup 0
messages=$(grep -oE 'sent +[0-9]+' "$work/full.loadgen" | grep -oE '[0-9]+' | head -1)
grep -E 'deliveries|throughput' "$work/full.loadgen"
echo "| counter | setup run | measured run | per message |"
echo "|---|---:|---:|---:|"
join "$work/setup" "$work/full" |
  awk -v m="$messages" '{printf "| %s | %d | %d | %.2f |\n", $1, $2, $3, ($3 - $2) / m}'
echo "messages sent: $messages"

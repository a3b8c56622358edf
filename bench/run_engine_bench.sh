#!/usr/bin/env bash
# Runs the engine benchmark on SQLite and on a throwaway MariaDB (started here, stopped on exit).
# usage: bench/run_engine_bench.sh [BENCH_BINARY] [extra benchmark flags...]
#   BENCH_BINARY defaults to build-bench/bench/engine_bench; CHAT_BENCH_MIN_TIME (seconds,
#   default 1.0) bounds each benchmark so the whole run takes about two minutes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/build-bench/bench/engine_bench}
[[ $# -gt 0 ]] && shift
[[ -x $binary ]] || { echo "no benchmark binary at $binary; build target engine_bench" >&2; exit 1; }
min_time=${CHAT_BENCH_MIN_TIME:-1.0}
port=${CHAT_BENCH_MYSQL_PORT:-33161}

dir=$(mktemp -d "${TMPDIR:-/tmp}/chat_bench_mariadb.XXXXXX")
cleanup() {
  "$root/tests/support/mariadb.sh" stop "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"$root/tests/support/mariadb.sh" start "$dir" "$port" >/dev/null
db=bench_$$
mariadb --no-defaults --socket="$dir/mysql.sock" -uroot \
  -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
export CHAT_BENCH_MYSQL="mysql://db=$db user=chat password=chat unix_socket=$dir/mysql.sock charset=utf8mb4"

"$binary" --benchmark_min_time="$min_time" "$@"

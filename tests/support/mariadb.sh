#!/usr/bin/env bash
# Starts or stops a throwaway MariaDB server for tests: mariadb.sh start|stop DIR [PORT]
# start: initialises DIR if empty, runs mariadbd on DIR/mysql.sock and 127.0.0.1:PORT, waits
#        until it answers, creates database chat_test and user chat/chat. Already running: ok.
# stop:  kills the server of DIR by its pid file and waits until it is gone. Not running: ok.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
action=$1
dir=$2
port=${3:-33061}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock=$dir/mysql.sock
pidfile=$dir/mysqld.pid
data=$dir/data

running() {
  [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

ping() {
  mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

start() {
  if running && ping; then
    echo "mariadb already running in $dir"
  else
    if [[ ! -d $data/mysql ]]; then
      mkdir -p "$data"
      mariadb-install-db --no-defaults --datadir="$data" --user=root --skip-test-db \
        --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 ||
        { echo "mariadb-install-db failed, see $dir/install.log" >&2; exit 1; }
    fi
    rm -f "$sock" "$pidfile"
    # setsid: the server must outlive this script and the ctest process group.
    setsid mariadbd --no-defaults --user=root --datadir="$data" --socket="$sock" --port="$port" \
      --bind-address=127.0.0.1 --pid-file="$pidfile" --log-error="$dir/error.log" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M \
      --character-set-server=utf8mb4 </dev/null >/dev/null 2>&1 &
    local server=$! deadline=$((SECONDS + 30))
    until ping; do
      if ! kill -0 "$server" 2>/dev/null || ((SECONDS >= deadline)); then
        kill "$server" 2>/dev/null || true
        echo "mariadb did not become ready (port $port taken?); last lines of $dir/error.log:" >&2
        tail -n 20 "$dir/error.log" >&2 || true
        exit 1
      fi
      sleep 0.1
    done
  fi
  mariadb --no-defaults --socket="$sock" -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS chat_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'chat'@'localhost' IDENTIFIED BY 'chat';
CREATE USER IF NOT EXISTS 'chat'@'127.0.0.1' IDENTIFIED BY 'chat';
GRANT ALL PRIVILEGES ON *.* TO 'chat'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO 'chat'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  echo "mariadb ready: socket $sock, port $port"
}

stop() {
  if [[ ! -f $pidfile ]]; then
    echo "mariadb not running in $dir"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "mariadb $pid did not stop within 30 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$pidfile"
  echo "mariadb stopped in $dir"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac

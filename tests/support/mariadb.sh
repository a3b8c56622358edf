#!/usr/bin/env bash
# Starts or stops a throwaway MariaDB server for tests: mariadb.sh start|stop DIR [PORT]
# start: initialises DIR if empty, runs mariadbd on DIR/mysql.sock and 127.0.0.1:PORT (or the next
#        free port; the one used is in DIR/port), waits until it answers, creates database
#        chat_test and user chat/chat. Already running: ok.
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

port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts mariadbd on $port and waits (at most 30 s) until it answers; fails if it exits.
launch() {
  rm -f "$sock" "$pidfile" "$dir/error.log"
  # setsid: the server must outlive this script and the ctest process group.
  setsid mariadbd --no-defaults --user=root --datadir="$data" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$pidfile" --log-error="$dir/error.log" \
    --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M \
    --character-set-server=utf8mb4 </dev/null >/dev/null 2>&1 &
  local server=$! deadline=$((SECONDS + 30))
  until ping; do
    if ! kill -0 "$server" 2>/dev/null; then return 1; fi
    if ((SECONDS >= deadline)); then
      kill "$server" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
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
    # Other build trees or benchmarks may hold PORT: then take the next free one. The chosen
    # port is written to DIR/port (clients of the fixture use the socket anyway).
    local attempt
    for attempt in 1 2 3 4 5 6 7 8; do
      while port_taken "$port"; do port=$((port + 1)); done
      if launch; then
        echo "$port" >"$dir/port"
        break
      fi
      if ! grep -q "Address already in use" "$dir/error.log" 2>/dev/null || ((attempt == 8)); then
        echo "mariadb did not become ready; last lines of $dir/error.log:" >&2
        tail -n 20 "$dir/error.log" >&2 || true
        exit 1
      fi
      port=$((port + 1))
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
  echo "mariadb ready: socket $sock, port $(cat "$dir/port" 2>/dev/null || echo "$port")"
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

#!/usr/bin/env bash
# Runs a command against a fresh MariaDB database: with_mysql_database.sh BASE_URL COMMAND...
# BASE_URL is a SOCI mysql:// string whose server is up (the tests' `mariadb` ctest fixture);
# a new database is created on it, its URL is exported as CHAT_TEST_DATABASE, and it is dropped
# when the command ends. Exits with the command's status.
set -euo pipefail
base=$1
shift
option() { sed -n "s/.*[ \/]$1=\([^ ]*\).*/\1/p" <<<"$base"; }
socket=$(option unix_socket)
user=$(option user)
password=$(option password)
if [[ -n $socket ]]; then
  target=(-S "$socket")
else
  target=(-h "$(option host)" -P "$(option port)")
fi
db="chat_b_$$_${RANDOM}"
sql() { mariadb --no-defaults "${target[@]}" -u"$user" -p"$password" -e "$1"; }
sql "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
trap 'sql "DROP DATABASE IF EXISTS $db" || true' EXIT
export CHAT_TEST_DATABASE
CHAT_TEST_DATABASE=$(sed "s/\(^\|[ \/]\)db=[^ ]*/\1db=$db/" <<<"$base")
"$@"

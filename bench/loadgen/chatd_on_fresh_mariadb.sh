#!/usr/bin/env bash
# For compare_peers.sh with BENCH_DB=mysql: empties compare.sh's MariaDB database before every
# start of chatd (loadgen registers the same users on every run, and --find-max-rate restarts
# the server for each probe), then becomes chatd: `chatd_on_fresh_mariadb.sh CHATD [ARGS...]`.
set -euo pipefail
db=${MYSQL_DATABASE:-chat}
# MYSQL_HOST in the environment would make the clients (this one and chatd's) use TCP.
env -u MYSQL_HOST -u MYSQL_PORT mariadb --no-defaults --socket="$MYSQL_SOCKET" \
  -u"${MYSQL_USER:-chat}" -p"${MYSQL_PASSWORD:-chat}" -e \
  "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
exec env -u MYSQL_HOST -u MYSQL_PORT "$@"

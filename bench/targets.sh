#!/usr/bin/env bash
# Issue 15's targets, each measured against ../shared/perf's references in the same run and
# repeated RUNS times (default 3; medians, with min-max): prints progress, a markdown table per
# target with met or not, and a one-line summary last. Raw outputs stay in OUT.
#   bench/targets.sh [TARGET...]     targets: 1 2 3 4 5 6 plot (default: all)
#   CHATD  chatd binary (default build-bench/apps/chatd/chatd)
#   RUNS   repetitions per target (default 3)
#   OUT    where the raw outputs go (default a new directory under /tmp)
#   BENCH_LOCK  a lock file each run takes (flock) so that nothing else measures or builds meanwhile
#   CHATD_ARGS  more chatd options (e.g. --commit-delay-us 2000)
#   REPORT_ONLY=1  measure nothing: print the tables again from the raw outputs already in OUT
# 1 everyday load on MariaDB      200 clients, rooms of 10, 2,000 msg/s, 10 s: chatd + mariadbd
#                                 CPU per delivery <= 0.5 x (node-ref + mariadbd), p99 below node's
# 2 embedded default (SQLite)     the same on SQLite: CPU per delivery <= node-ref without a
#                                 database, p99 < 5 ms
# 3 rooms of 100 on MariaDB       1,000 clients, 10 rooms, 200 msg/s: chatd's CPU per delivery
#                                 <= 1.2 x floor-ref's, p99 <= node-ref's
# 4 idle connections              <= 5 KiB per authenticated idle connection at 5,000 and 19,000
# 5 connect storm                 bench/connect_storm.sh (5,000 token logins within 1 s)
# 6 peak on MariaDB               scenario A's shape at 14,000 msg/s: everything delivered, p99 < 50 ms
# plot                            p50/p99 against rate (scenario A's shape) -> OUT/latency.svg
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${RUNS:-3}
out=${OUT:-$(mktemp -d /tmp/chatd-targets.XXXXXX)}
mkdir -p "$out"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(1 2 3 4 5 6 plot)
summary=()
A=(--clients 200 --rooms 20 --rate 2000 --duration 10)
B=(--clients 1000 --rooms 10 --rate 200 --duration 10)

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
# compare NAME RUN SERVERS DB ARGS...: one compare.sh run into $out/NAME/RUN
compare() {
  local name=$1 run=$2 servers=$3 db=$4
  shift 4
  [[ -n ${REPORT_ONLY:-} ]] && return 0
  say "target $name, run $run/$runs: $servers (chatd on $db) $*"
  SERVERS=$servers BENCH_DB=$db ${BENCH_LOCK:+flock -o "$BENCH_LOCK"} "$root/bench/compare_peers.sh" --out "$out/$name/$run" "$@" \
    >"$out/$name/$run.log" 2>&1 || say "  compare.sh failed, see $out/$name/$run.log"
}
medians() { python3 "$root/bench/lib/run_medians.py" "$@"; }
# field JSONLINES SERVER FIGURE: the median of FIGURE for SERVER (custom is chatd)
field() {
  python3 -c 'import json,sys
for line in sys.argv[1].splitlines():
    d = json.loads(line)
    if d["server"] == sys.argv[2]:
        v = d.get(sys.argv[3])
        print("" if v is None else round(v, 2))' "$1" "$2" "$3"
}
range() {  # JSONLINES SERVER FIGURE: "median (min-max)"
  python3 -c 'import json,sys
f = sys.argv[3]
for line in sys.argv[1].splitlines():
    d = json.loads(line)
    if d["server"] == sys.argv[2] and f in d:
        lo, hi = d[f + "_min"], d[f + "_max"]
        print("%.4g (%.4g-%.4g)" % (d[f], lo, hi))' "$1" "$2" "$3"
}
le() { python3 -c 'import sys; a, b = float(sys.argv[1] or "inf"), float(sys.argv[2] or "nan"); print("met" if a <= b else "not met")' "$1" "$2"; }
load_table() {  # JSONLINES SERVER...: a latency/CPU table of the given servers
  local m=$1
  shift
  echo "| server | runs | missing | p50 µs | p99 µs | srv CPU µs/deliv | +DB µs/deliv |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for s in "$@"; do
    [[ -n $(field "$m" "$s" runs) ]] || continue
    local all srv db
    srv=$(field "$m" "$s" srv_us_per_deliv)
    all=$(field "$m" "$s" all_us_per_deliv)
    db=$(python3 -c "print(round($all - $srv, 2))")
    echo "| $s | $(field "$m" "$s" runs) | $(field "$m" "$s" missing) | $(range "$m" "$s" p50_us) |" \
      "$(range "$m" "$s" p99_us) | $(range "$m" "$s" srv_us_per_deliv) | $db |"
  done
}

for t in "${targets[@]}"; do
  case $t in
  1)
    mkdir -p "$out/t1"
    for r in $(seq "$runs"); do compare t1 "$r" "node-mysql custom" mysql "${A[@]}"; done
    m=$(medians "$out"/t1/[0-9]*/)
    chatd_all=$(field "$m" custom all_us_per_deliv)
    node_all=$(field "$m" node-mysql all_us_per_deliv)
    bound=$(python3 -c "print(round(0.5 * $node_all, 2))")
    verdict="$(le "$chatd_all" "$bound") (CPU), p99 $(le "$(field "$m" custom p99_us)" "$(field "$m" node-mysql p99_us)")"
    echo "### Target 1: everyday load on MariaDB"
    load_table "$m" node-mysql custom
    echo "chatd + mariadbd $chatd_all µs/delivery against 0.5 x node-ref + mariadbd = $bound: $verdict"
    summary+=("1: $chatd_all vs <= $bound µs/deliv, $verdict")
    ;;
  2)
    mkdir -p "$out/t2"
    for r in $(seq "$runs"); do compare t2 "$r" "node-none custom" sqlite "${A[@]}"; done
    m=$(medians "$out"/t2/[0-9]*/)
    chatd_cpu=$(field "$m" custom srv_us_per_deliv)
    node_cpu=$(field "$m" node-none srv_us_per_deliv)
    p99=$(field "$m" custom p99_us)
    verdict="$(le "$chatd_cpu" "$node_cpu") (CPU), p99 $(le "$p99" 5000)"
    echo "### Target 2: embedded default (SQLite)"
    load_table "$m" node-none custom
    echo "chatd on SQLite $chatd_cpu µs/delivery against node-ref without a database $node_cpu; p99 $p99 µs against 5,000: $verdict"
    summary+=("2: $chatd_cpu vs <= $node_cpu µs/deliv, p99 $p99 µs: $verdict")
    ;;
  3)
    mkdir -p "$out/t3"
    for r in $(seq "$runs"); do compare t3 "$r" "floor node-none custom" mysql "${B[@]}"; done
    m=$(medians "$out"/t3/[0-9]*/)
    chatd_cpu=$(field "$m" custom srv_us_per_deliv)
    bound=$(python3 -c "print(round(1.2 * $(field "$m" floor srv_us_per_deliv), 2))")
    verdict="$(le "$chatd_cpu" "$bound") (CPU), p99 $(le "$(field "$m" custom p99_us)" "$(field "$m" node-none p99_us)")"
    echo "### Target 3: rooms of 100 on MariaDB"
    load_table "$m" floor node-none custom
    echo "chatd $chatd_cpu µs/delivery (mariadbd not counted) against 1.2 x floor-ref = $bound: $verdict"
    summary+=("3: $chatd_cpu vs <= $bound µs/deliv, $verdict")
    ;;
  4)
    line="4:"
    echo "### Target 4: idle connections"
    echo "| connections | server | runs | ready | bytes per connection |"
    echo "|---:|---|---:|---:|---:|"
    for n in 5000 19000; do
      mkdir -p "$out/t4-$n"
      for r in $(seq "$runs"); do
        compare "t4-$n" "$r" "floor custom" sqlite --idle-only --clients "$n" --rooms $((n / 100)) \
          --setup-timeout 120
      done
      m=$(medians "$out/t4-$n"/[0-9]*/)
      for s in floor custom; do
        echo "| $n | $s | $(field "$m" "$s" runs) | $(field "$m" "$s" ready) | $(range "$m" "$s" bytes_per_conn) |"
      done
      b=$(field "$m" custom bytes_per_conn)
      line+=" $n: $b B/conn $(le "$b" 5120);"
    done
    summary+=("$line")
    ;;
  5)
    if [[ -x $root/bench/connect_storm.sh ]]; then
      mkdir -p "$out/t5"
      for r in $(seq "$runs"); do
        [[ -n ${REPORT_ONLY:-} ]] && break
        say "target 5, run $r/$runs: connect storm"
        "$root/bench/connect_storm.sh" >"$out/t5/$r.log" 2>&1 || say "  connect_storm.sh failed"
      done
      echo "### Target 5: connect storm"
      for r in $(seq "$runs"); do tail -1 "$out/t5/$r.log"; done
      summary+=("5: see $out/t5 ($(tail -1 "$out/t5/1.log"))")
    else
      summary+=("5: bench/connect_storm.sh missing")
    fi
    ;;
  6)
    mkdir -p "$out/t6"
    for r in $(seq "$runs"); do
      compare t6 "$r" "custom" mysql --clients 200 --rooms 20 --rate 14000 --duration 10
    done
    m=$(medians "$out"/t6/[0-9]*/)
    echo "### Target 6: peak on MariaDB (14,000 msg/s, rooms of 10)"
    load_table "$m" custom
    passed=$(python3 -c 'import json,sys,glob
ok = 0
for f in glob.glob(sys.argv[1] + "/t6/*/custom.txt"):
    s = [json.loads(l) for l in open(f) if l.startswith("{")][-1]
    ok += s["missing"] == 0 and s["ready"] == s["clients"] and s["lat_us"]["p99"] < 50000
print(ok)' "$out")
    echo "runs passing (everything delivered, p99 < 50 ms): $passed of $runs"
    summary+=("6: 14,000 msg/s passed $passed of $runs")
    ;;
  plot)
    specs=()
    for db in sqlite mysql; do
      dirs=()
      for rate in 1000 2000 4000 8000 12000; do
        mkdir -p "$out/plot-$db"
        servers=custom
        [[ $db == mysql ]] && servers="node-mysql custom"
        [[ $db == sqlite ]] && servers="floor node-none custom"
        compare "plot-$db" "$rate" "$servers" "$db" --clients 200 --rooms 20 --rate "$rate" --duration 5
        dirs+=("$out/plot-$db/$rate")
      done
      specs+=("*=$(IFS=,; echo "${dirs[*]}")")
    done
    # The custom server of each set is chatd on that database.
    for db in sqlite mysql; do
      for d in "$out/plot-$db"/*/; do
        [[ -f $d/custom.txt ]] && mv "$d/custom.txt" "$d/chatd-$db.txt"
      done
    done
    python3 "$root/bench/lib/latency_plot.py" "$out/latency.svg" "${specs[@]}"
    summary+=("plot: $out/latency.svg")
    ;;
  *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
say "raw outputs in $out"
echo "summary: $(IFS=';'; echo "${summary[*]}")"

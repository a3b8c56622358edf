#!/usr/bin/env bash
# Line and branch coverage of lib/ and of apps/chatd, measured over the whole ctest suite (engine,
# store on SQLite and MariaDB, chatd unit tests, C API and bindings, the fuzz corpus replay, the
# end-to-end and browser suites against the instrumented chatd). Usage:
#   bench/coverage.sh
# Builds build-coverage/ with -DCHAT_COVERAGE=ON (gcc --coverage -O0 -g), zeroes the counters,
# runs ctest, then reports with gcovr (throw and unreachable branches left out):
#   build-coverage/coverage/{lib,chatd}.txt        per-file text report: lines (uncovered ranges)
#   build-coverage/coverage/{lib,chatd}-branches.txt  the same for branches
#   build-coverage/coverage/{lib,chatd}/index.html line-by-line HTML report
#   build-coverage/coverage/{lib,chatd}.json       summary (gcovr --json-summary)
# Settings (environment):
#   CHAT_COVERAGE_CTEST_ARGS   extra ctest arguments, e.g. "-E ^web_" to leave the browser out
#   CHAT_COVERAGE_MIN_LIB_LINES, CHAT_COVERAGE_MIN_LIB_BRANCHES,
#   CHAT_COVERAGE_MIN_CHATD_LINES, CHAT_COVERAGE_MIN_CHATD_BRANCHES
#                              thresholds in percent: the script fails if a figure is below
# Fails if a test fails (after writing the reports: the figures of a failed run are printed but
# are not the project's figures).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./deps.sh test
if ! command -v gcovr >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends gcovr
fi

build=${CHAT_COVERAGE_BUILD_DIR:-build-coverage}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# RelWithDebInfo keeps NDEBUG as in the shipped build (asserts would add branches no test takes);
# CHAT_COVERAGE's -O0 comes after the build type's -O2.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAT_COVERAGE=ON \
  -DCHAT_BUILD_TESTS=ON -DCHAT_BUILD_EXAMPLES=OFF -DCHAT_BUILD_BENCHMARKS=OFF "${launcher[@]}" \
  >/dev/null
cmake --build "$build" -j "$(nproc)"

# Counters from an earlier run (or from a build step that ran a binary) would add to this one.
find "$build" -name '*.gcda' -delete
ctest_status=0
# shellcheck disable=SC2086 # CHAT_COVERAGE_CTEST_ARGS is a list of arguments
(cd "$build" && ctest -j "$(nproc)" --output-on-failure --timeout 900 \
  ${CHAT_COVERAGE_CTEST_ARGS:-}) || ctest_status=$?

out=$build/coverage
rm -rf "$out"
mkdir -p "$out"
# gcov runs once over every object file; the two reports are filtered views of its result.
gcovr --root "$root" --object-directory "$build" -j "$(nproc)" \
  --filter 'lib/' --filter 'apps/chatd/' \
  --exclude-throw-branches --exclude-unreachable-branches \
  --json "$out/all.json"
for part in lib chatd; do
  case $part in
    lib) filter='lib/' ;;
    chatd) filter='apps/chatd/' ;;
  esac
  mkdir -p "$out/$part"
  gcovr --root "$root" --add-tracefile "$out/all.json" --filter "$filter" \
    --txt "$out/$part.txt" --json-summary-pretty --json-summary "$out/$part.json" \
    --html-details "$out/$part/index.html" --html-title "libchat coverage: $filter" \
    --sort-uncovered
  gcovr --root "$root" --add-tracefile "$out/all.json" --filter "$filter" --branches \
    --txt "$out/$part-branches.txt" --sort-uncovered
done

python3 - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
failed = []
print()
print(f"{'part':<12}{'lines':>22}{'branches':>22}{'functions':>22}")
for part, name in (("lib", "lib/"), ("chatd", "apps/chatd/")):
    s = json.load(open(os.path.join(out, part + ".json")))
    row = f"{name:<12}"
    for kind in ("line", "branch", "function"):
        row += f"{s[kind + '_percent']:>8.1f} % {s[kind + '_covered']:>5}/{s[kind + '_total']:<5}"
    print(row)
    for kind, key in (("line", "LINES"), ("branch", "BRANCHES")):
        minimum = os.environ.get(f"CHAT_COVERAGE_MIN_{part.upper()}_{key}")
        if minimum and s[kind + "_percent"] < float(minimum):
            failed.append(f"{name} {kind}s {s[kind + '_percent']:.1f} % < {minimum} %")
print()
print(f"per file: {out}/lib.txt, {out}/chatd.txt; line by line: {out}/lib/index.html, "
      f"{out}/chatd/index.html")
for f in failed:
    print("coverage.sh: below the threshold:", f, file=sys.stderr)
sys.exit(1 if failed else 0)
EOF
if [ "$ctest_status" != 0 ]; then
  echo "coverage.sh: ctest failed (status $ctest_status): these figures are not the suite's" >&2
  exit "$ctest_status"
fi

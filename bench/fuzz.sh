#!/usr/bin/env bash
# Fuzzes every target of tests/fuzz with libFuzzer (clang, ASan + UBSan), each for SECONDS
# (default 60), starting from the seed corpus in tests/fuzz/corpus/<target>/. Usage:
#   bench/fuzz.sh [SECONDS] [TARGET...]
# New corpus entries go to build-fuzz/work/corpus/<target>/ (the repository's seeds are only
# read); a crash leaves build-fuzz/work/artifacts/<target>-crash-* and makes the script fail.
# Needs clang-14 and libclang-rt-14-dev (./deps.sh test installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame http_request cookie id_token jwks chatd_config oidc_config)
build=${CHAT_FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCHAT_FUZZ=ON -DCHAT_SANITIZE=address -DCHAT_BUILD_TESTS=ON -DCHAT_BUILD_EXAMPLES=OFF \
  -DCHAT_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

work=$PWD/$build/work
mkdir -p "$work/artifacts"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  if "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
      "$work/corpus/$t" "tests/fuzz/corpus/$t" 2>"$work/$t.log"; then
    grep -E '^stat::(number_of_executed_units|new_units_added)|^#[0-9]+.*DONE' "$work/$t.log" || true
    echo "fuzz_$t: no crash in ${seconds}s, corpus $(ls "$work/corpus/$t" | wc -l) entries"
  else
    tail -60 "$work/$t.log"
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in ${failed[*]} (inputs in $work/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${seconds}s each, nothing found"

#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors, and runs every test
# (unit, store contract on SQLite and a throwaway MariaDB, concurrency, examples, packaging,
# end-to-end). Prints ctest's summary; exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")"
./deps.sh test
build=${CHAT_BUILD_DIR:-build-test}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAT_WERROR=ON \
  -DCHAT_BUILD_TESTS=ON "${launcher[@]}"
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest -j "$(nproc)" --output-on-failure --timeout 600

#!/usr/bin/env bash
# Installs what is missing, builds chatd, and runs it on the embedded SQLite default.
# Extra arguments go to chatd (see `chatd --help`), e.g. ./run.sh --listen 127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")"
./deps.sh run
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_TESTS=OFF \
  -DCHAT_BUILD_BENCHMARKS=OFF "${launcher[@]}"
cmake --build build -j "$(nproc)" --target chatd
exec build/apps/chatd/chatd --web-root "$PWD/apps/chatd/web" "$@"

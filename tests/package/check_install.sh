#!/usr/bin/env bash
# Installs the built project into WORK/prefix and builds WORK/consumer against it, as an outside
# user would: only find_package(chat) and the installed headers and library.
set -euo pipefail
build_dir=$1 consumer_src=$2 work=$3 version=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
cmake -S "$consumer_src" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" -DCHAT_EXPECTED_VERSION="$version" \
  >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log"
LD_LIBRARY_PATH="$work/prefix/lib:${LD_LIBRARY_PATH:-}" "$work/consumer/consumer"
# An installed chatd finds its web client next to it (PREFIX/share/chatd/web).
if [ -x "$work/prefix/bin/chatd" ]; then
  test -f "$work/prefix/share/chatd/web/index.html" || { echo "web client not installed" >&2; exit 1; }
  echo "installed chatd with its web client"
fi

#!/usr/bin/env bash
# Builds tests/package/subproject, an outside project that adds libchat with add_subdirectory
# and sets neither a build type nor BUILD_SHARED_LIBS, then checks what was built: its own
# library is a static archive, the only program is its own (no chatd, tests, examples or
# benchmarks of libchat), and the program links and runs against chat::chat.
# Usage: check_subproject.sh SOURCE_DIR WORK_DIR [COMPILER_LAUNCHER]
set -euo pipefail
src=$1 work=$2 launcher=${3:-}
rm -rf "$work"
mkdir -p "$work"
cmake -S "$src/tests/package/subproject" -B "$work" -G Ninja -DCHAT_SOURCE_DIR="$src" \
  ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" -DCMAKE_C_COMPILER_LAUNCHER="$launcher"} \
  >"$work/../subproject-configure.log" || { cat "$work/../subproject-configure.log"; exit 1; }
grep 'subproject consumer:' "$work/../subproject-configure.log"
cmake --build "$work" >"$work/../subproject-build.log" || { tail -50 "$work/../subproject-build.log"; exit 1; }

test -f "$work/libown_util.a" || { echo "own_util is not a static archive" >&2; exit 1; }
if find "$work" -name 'libown_util.so*' | grep -q .; then echo "own_util was built shared" >&2; exit 1; fi
echo "own library: libown_util.a"
# Every program (and executable script) built: the consumer only.
programs=$(find "$work" -type f -perm -u+x -not -name '*.so*' -not -path '*/CMakeFiles/*' \
           -printf '%P\n' | sort)
echo "programs built: $programs"
[ "$programs" = consumer ] || { echo "libchat built more than its libraries" >&2; exit 1; }
echo "libraries built: $(find "$work" -type f \( -name '*.a' -o -name '*.so*' \) -printf '%f\n' | sort | tr '\n' ' ')"
"$work/consumer"

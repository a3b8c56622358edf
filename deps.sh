#!/usr/bin/env bash
# Installs the Debian 12 packages libchat needs, only if some are missing. Usage: ./deps.sh [run|test]
#   run  : what building and running chatd needs
#   test : that plus MariaDB, Chromium and the test tools (clang-14 and its libFuzzer runtime
#          for bench/fuzz.sh included; the default)
set -euo pipefail
profile=${1:-test}

build_packages=(
  build-essential cmake ninja-build pkg-config ccache
  libasio-dev libwebsocketpp-dev libsoci-dev libboost-dev libsqlite3-dev libmariadb-dev
  libfmt-dev libcxxopts-dev libspdlog-dev nlohmann-json3-dev
  libsodium-dev libssl-dev libcurl4-openssl-dev
  libcrack2-dev cracklib-runtime
)
test_packages=(
  catch2 libbenchmark-dev mariadb-server mariadb-client chromium clang-format sqlite3 doxygen python3
  clang-14 libclang-rt-14-dev
)

wanted=("${build_packages[@]}")
[ "$profile" = test ] && wanted+=("${test_packages[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
# Node.js and npm (for the browser and protocol tests) come with the machine; npm from apt
# would conflict with them, so it is only checked.
if [ "$profile" = test ] && ! command -v npm >/dev/null; then
  echo "deps.sh: npm is required for the end-to-end tests (Node.js 20 + npm)" >&2
  exit 1
fi

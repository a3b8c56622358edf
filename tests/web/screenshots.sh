#!/usr/bin/env bash
# Regenerates the README's screenshots in docs/screenshots/: runs the accessibility suite (which
# photographs the screens it checks) with CHAT_WEB_SCREENSHOTS pointing there. The normal test run
# (ctest, ./test.sh) saves its pictures in a temporary directory and leaves the work tree alone.
# Usage: tests/web/screenshots.sh [BUILD_DIR]   (default build-test; chatd must be built in it)
# A picture that differs from the committed one in fewer than 0.1% of its pixels is not rewritten.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build-test}" && pwd)
export CHATD_BIN=${CHATD_BIN:-$build/apps/chatd/chatd}
[ -x "$CHATD_BIN" ] || { echo "screenshots.sh: no chatd at $CHATD_BIN (build it first)" >&2; exit 1; }
cd "$root/tests/web"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
export CHAT_WEB_SCREENSHOTS=$root/docs/screenshots
export CHAT_TEST_TMP=${CHAT_TEST_TMP:-$build/tests/web/tmp}
node --test --test-reporter=spec accessibility.test.mjs
git -C "$root" status --short -- docs/screenshots

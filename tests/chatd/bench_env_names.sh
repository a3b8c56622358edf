#!/usr/bin/env bash
# The bench scripts' own settings must not be read by chatd: chatd takes every CHATD_<OPTION>
# environment variable as that option (CHATD_DB as --db), so a bench variable with such a name
# changes or breaks the chatd it starts. Fails for each CHATD_* name in bench/ that chatd reads.
#   bench_env_names.sh <chatd binary> <repository root>
set -euo pipefail
chatd=${1:?chatd binary}
root=${2:?repository root}
help=$("$chatd" --help)
status=0
for name in $(grep -rhoE '\bCHATD_[A-Z0-9_]+' "$root/bench" | sort -u); do
  if grep -qF "(env $name)" <<<"$help"; then
    echo "bench/ uses $name, which chatd reads as an option:" >&2
    grep -rln "\b$name\b" "$root/bench" >&2
    status=1
  fi
done
exit $status

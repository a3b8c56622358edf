#!/usr/bin/env bash
# Installs the built project into WORK/prefix and uses the installed bindings as an outside
# user would: a C program and a C++ program built with `pkg-config chat`, a C program built
# with find_package(chat) (chat::chat_c), and the Python package found without any setting.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR [PYTHON]
set -euo pipefail
build=$1 src=$2 work=$3 python=${4:-python3}
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
prefix=$work/prefix
libdir=$(dirname "$(find "$prefix" -name 'libchat_c.so' | head -n1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "pkg-config chat: $(pkg-config --modversion chat) $(pkg-config --cflags --libs chat)"
# C, from the installed header and pkg-config alone.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$work/c_embed" "$src/examples/c_embed/main.c" $(pkg-config --cflags --libs chat)
"$work/c_embed" "$work/c_embed.db" | grep -q '\[team\] #2 carol: thanks'
echo "pkg-config C program: ok"
# C++, same module.
# shellcheck disable=SC2046
c++ -std=c++17 -Wall -Werror -o "$work/cxx" "$src/tests/bindings/c/consumer/main.cpp" $(pkg-config --cflags --libs chat)
"$work/cxx" | grep -q 'both APIs'
echo "pkg-config C++ program: ok"

# CMake: find_package(chat) gives chat::chat_c too.
cmake -S "$src/tests/bindings/c/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCHAT_EXPECTED_VERSION="$(pkg-config --modversion chat)" >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log"
"$work/consumer/c_consumer" | grep -q 'sent seq 1'
echo "find_package(chat) C program: ok"

# Python: the installed package finds the installed libchat_c by itself.
pydir=$(dirname "$(find "$prefix" -path '*/libchat/__init__.py' | head -n1)")
env -u LIBCHAT_C_LIBRARY PYTHONPATH="$(dirname "$pydir")" LD_LIBRARY_PATH= "$python" -c '
import libchat
with libchat.Engine("sqlite3://db=:memory:", password_cost=libchat.PasswordCost.MINIMUM) as e:
    u = e.register_user("installed", "a long password")
    print("installed python package:", libchat.version(), e.send(u.id, e.create_group(u.id, "g").id, "x").seq)
'
echo "bindings install: PASS"

"""Shared set-up for the libchat Python tests."""

import atexit
import itertools
import os
import re
import subprocess
import time

import libchat

_counter = itertools.count(1)


def mysql_base():
    """The tests' MariaDB URL ($CHAT_TEST_MYSQL, set by ctest for the python_mariadb tests)."""
    return os.environ.get("CHAT_TEST_MYSQL", "")


def _mysql(base, sql):
    def option(key):
        found = re.search(r"(?:^|[ /])" + key + r"=([^ ]*)", base)
        return found.group(1) if found else ""

    target = ["-S", option("unix_socket")] if option("unix_socket") else [
        "-h", option("host"), "-P", option("port")]
    subprocess.run(
        ["mariadb", "--no-defaults", *target, "-u" + option("user"), "-p" + option("password"),
         "-e", sql],
        check=True,
    )


def database():
    """A fresh database for one engine: a new MariaDB database when $CHAT_TEST_MYSQL is set
    (dropped at exit), else an in-memory SQLite one."""
    base = mysql_base()
    if not base:
        return "sqlite3://db=:memory:"
    name = f"chat_py_{os.getpid()}_{next(_counter)}"
    _mysql(base, f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    atexit.register(_mysql, base, f"DROP DATABASE IF EXISTS {name}")
    return re.sub(r"(^|[ /])db=[^ ]*", lambda m: m.group(1) + "db=" + name, base, count=1)


def open_engine(**options):
    options.setdefault("password_cost", libchat.PasswordCost.MINIMUM)
    return libchat.Engine(database(), **options)


def wait_for(connection, kind, timeout=5.0):
    """Polls `connection` until an event of `kind` comes (others are skipped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in connection.poll(timeout=0.05):
            if event.kind == kind:
                return event
    raise AssertionError(f"no {kind.name} event within {timeout} s")


def wait_until_blocked(tid, timeout=5.0):
    """Waits until the thread whose native id `tid` (a list) gets is asleep (state S in /proc) in
    two checks 10 ms apart, i.e. blocked in its poll rather than waiting for the GIL (released
    between the checks): an interrupt sent before the poll starts would only be latched, and a
    test would pass without a blocked poll being woken."""
    deadline = time.monotonic() + timeout
    asleep = 0
    while time.monotonic() < deadline:
        time.sleep(0.01)
        state = None
        if tid:
            try:
                with open(f"/proc/self/task/{tid[0]}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                pass
        asleep = asleep + 1 if state == "S" else 0
        if asleep >= 2:
            return
    raise AssertionError(f"the polling thread did not block within {timeout} s")

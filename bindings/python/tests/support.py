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

"""Test helpers for the client examples: a chatd on a free port, HTTP accounts, and child
processes whose output lines can be awaited with a deadline.

Every process started here is killed when the driver exits (normally, by exception, or by
SIGTERM/SIGINT from ctest), and also dies with the driver (PR_SET_PDEATHSIG) if it is killed.
"""

import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

_children = []
_print_lock = threading.Lock()


def log(text):
    with _print_lock:
        print(text, flush=True)


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def kill_all():
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
    for proc in _children:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _on_signal(signum, _frame):
    kill_all()
    sys.exit(128 + signum)


atexit.register(kill_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


class Process:
    """A child whose stdout (and stderr) lines are collected by a thread; stdin is a pipe."""

    def __init__(self, name, argv, env=None):
        self.name = name
        self.lines = []
        self.eof = False  # the reader saw the end of the output: no more lines will come
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1, env=env, preexec_fn=_die_with_parent)
        _children.append(self.proc)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            log(f"  {self.name}| {line}")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def mark(self):
        """A position in the output: expect(..., after=mark) looks only at later lines."""
        with self.cond:
            return len(self.lines)

    def expect(self, pattern, after=0, timeout=15):
        """Waits for a line matching `pattern` (a regex) at or after index `after`; returns it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            index = after
            while True:
                while index < len(self.lines):
                    if regex.search(self.lines[index]):
                        return self.lines[index]
                    index += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.eof and index >= len(self.lines)):
                    raise AssertionError(
                        f"{self.name}: no line matching {pattern!r} within {timeout} s"
                        f" (exit status {self.proc.poll()})")
                self.cond.wait(min(left, 0.5))

    def send(self, line):
        log(f"  {self.name}< {line}")
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self, timeout=10):
        """Closes stdin, sends SIGTERM if still running; returns the exit status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            return self.proc.wait(timeout=timeout)


class Chatd:
    """chatd on 127.0.0.1 with a fresh data directory; restartable on the same port."""

    def __init__(self, binary, data_dir):
        self.binary = binary
        self.data_dir = data_dir
        shutil.rmtree(data_dir, ignore_errors=True)
        os.makedirs(data_dir)
        self.port = 0
        self.proc = None

    def start(self):
        self.proc = Process("chatd", [
            self.binary, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
            "--password-cost", "minimum", "--log-level", "warn"])
        line = self.proc.expect(r"listening on https?://[^:]+:\d+/", timeout=20)
        self.port = int(re.search(r":(\d+)/", line).group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self):
        self.proc.proc.terminate()
        return self.proc.proc.wait(timeout=20)

    def post(self, path, body):
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def register(self, username, password):
        status, body = self.post("/v1/register", {"username": username, "password": password})
        assert status == 201, (status, body)
        return body["user"]

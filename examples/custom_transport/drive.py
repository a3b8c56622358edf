#!/usr/bin/env python3
"""Drives the custom_transport example as two TCP clients would: drive.py SERVER [DB-FILE].

Starts SERVER on a free 127.0.0.1 port, signs alice and bob up over two sockets, has them
exchange messages in a direct conversation (each sees the other's message arrive as an EVENT
line), checks history and an error, then stops the server. Prints PASS or exits non-zero.
"""

import json
import os
import signal
import socket
import subprocess
import sys


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.lines = self.sock.makefile("r", encoding="utf-8", newline="\n")
        self.events = []  # EVENT lines that arrived while waiting for a reply

    def call(self, command):
        """Sends one command; returns (reply lines before OK/ERR, the OK/ERR line)."""
        self.sock.sendall((command + "\n").encode("utf-8"))
        body = []
        while True:
            line = self.lines.readline().rstrip("\n")
            if not line:
                raise AssertionError(f"connection closed during {command!r}")
            if line.startswith("EVENT "):
                self.events.append(json.loads(line[6:]))
            elif line.startswith("OK") or line.startswith("ERR"):
                return body, line
            else:
                body.append(line)

    def ok(self, command):
        body, last = self.call(command)
        if not last.startswith("OK"):
            raise AssertionError(f"{command!r} failed: {last}")
        return body, last.split(" ")

    def next_event(self, name):
        """The next event named `name` (e.g. "message.created"), reading the socket if needed."""
        while True:
            while self.events:
                event = self.events.pop(0)
                if event["event"] == name:
                    return event
            line = self.lines.readline().rstrip("\n")
            if not line.startswith("EVENT "):
                raise AssertionError(f"expected an EVENT line, got {line!r}")
            self.events.append(json.loads(line[6:]))


def main():
    server_path = sys.argv[1]
    db = sys.argv[2] if len(sys.argv) > 2 else "drive.db"
    if os.path.exists(db):
        os.remove(db)
    server = subprocess.Popen(
        [server_path, "--listen", "127.0.0.1:0", "--database", "sqlite3://db=" + db],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = server.stdout.readline().strip()
        assert ready.startswith("listening on 127.0.0.1:"), ready
        port = int(ready.rsplit(":", 1)[1])
        print(f"custom_transport: server {ready}")

        alice, bob = Client(port), Client(port)
        alice.ok("REGISTER alice alice-long-password")
        bob.ok("REGISTER bob bob-long-password")
        _, err = alice.call("DM bob")
        assert err.startswith("ERR unauthenticated"), err
        _, (_, _, alice_id, token) = alice.ok("LOGIN alice alice-long-password")
        bob.ok("LOGIN bob bob-long-password")
        assert len(token) > 20

        _, (_, _, dm) = alice.ok("DM bob")
        _, (_, _, seq) = alice.ok("SEND " + dm + " hello bob, over plain TCP")
        assert seq == "1", seq
        got = bob.next_event("message.created")["message"]
        assert got["sender_id"] == alice_id and got["channel_id"] == dm, got
        print(f"custom_transport: bob got {got['text']!r}")

        bob.ok("SEND " + dm + " hi alice")
        got = alice.next_event("message.created")["message"]
        print(f"custom_transport: alice got {got['text']!r}")
        assert got["text"] == "hi alice" and got["seq"] == 2

        history, (_, _, count) = bob.ok("HISTORY " + dm)
        texts = [json.loads(line[4:])["text"] for line in history]
        assert count == "2" and texts == ["hello bob, over plain TCP", "hi alice"], history
        channels, _ = alice.ok("CHANNELS")
        assert json.loads(channels[0][8:])["peer"]["username"] == "bob", channels
        _, err = alice.call("SEND 999999 anyone?")
        assert err.startswith("ERR not_found"), err
        _, err = alice.call("FLY away")
        assert err.startswith("ERR invalid_argument"), err

        alice.ok("QUIT")
        assert alice.lines.readline() == "", "the server closes after QUIT"
        bob.sock.close()

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0, "server exit status"
        print("custom_transport: PASS")
        return 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())

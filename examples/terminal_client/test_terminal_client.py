#!/usr/bin/env python3
"""Drives two terminal_client processes through their stdin against a real chatd.

test_terminal_client.py CHATD TERMINAL_CLIENT DATA_DIR

alice registers with --register and waits; bob signs in, opens a direct conversation with
alice (/dm) and writes: alice sees the message arrive live, /list shows it unread, /open shows
it in the history, and alice's answer reaches bob's open conversation live. Prints PASS.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatd_fixture import Chatd, Process, kill_all  # noqa: E402


def client(binary, url, name, password, *extra):
    return Process(name, [binary, "--url", url, "--username", name, "--password", password,
                          *extra])


def main():
    chatd_bin, client_bin, data_dir = sys.argv[1:4]
    chatd = Chatd(chatd_bin, data_dir).start()
    try:
        chatd.register("bob", "bob password 1")

        alice = client(client_bin, chatd.url, "alice", "alice password", "--register")
        alice.expect(r"^registered alice$")
        alice.expect(r"^signed in as alice: 0 conversations, 0 unread")

        bob = client(client_bin, chatd.url, "bob", "bob password 1")
        bob.expect(r"^signed in as bob")
        bob.send("/dm alice")
        bob.expect(r"^--- @alice ---")
        bob.expect(r"^--- type to send to @alice")
        mark = alice.mark()
        bob.send("hello alice, from bob")
        bob.expect(r"\] bob: hello alice, from bob$")  # bob's own line, once committed

        # Live, while alice has nothing open: a notice naming the conversation and the sender.
        alice.expect(r"^\* \[@bob\] bob: hello alice, from bob", after=mark)

        mark = alice.mark()
        alice.send("/list")
        alice.expect(r"^  1\. @bob \(1 unread\) - bob: hello alice, from bob$", after=mark)
        alice.send("/open 1")
        alice.expect(r"^--- @bob ---$", after=mark)
        alice.expect(r"^  \[\d\d:\d\d\] bob: hello alice, from bob$", after=mark)

        mark = bob.mark()
        alice.send("hi bob!")
        # In bob's open conversation the message shows as a plain line, live.
        bob.expect(r"^  \[\d\d:\d\d\] alice: hi bob!$", after=mark)

        # Read markers: alice opened the conversation, so nothing is unread for her now.
        mark = alice.mark()
        alice.send("/list")
        alice.expect(r"^  1\. @bob - alice: hi bob!$", after=mark)

        # Errors are readable and keep the client going.
        mark = alice.mark()
        alice.send("/dm nobody_here")
        alice.expect(r"^! not_found: ", after=mark)
        alice.send("/quit")
        alice.expect(r"^bye$")
        assert alice.stop() == 0
        bob.send("/quit")
        assert bob.stop() == 0
        print("example_terminal_client: PASS", flush=True)
    finally:
        kill_all()


if __name__ == "__main__":
    main()

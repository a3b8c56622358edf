#!/usr/bin/env python3
"""embed_minimal in Python: an in-process engine on SQLite, no server, through `libchat`.

Usage: embed.py [database-file]   (default: python_embed.db in the working directory)
Needs the libchat package on PYTHONPATH (bindings/python) and libchat_c findable
(LIBCHAT_C_LIBRARY=/path/to/libchat_c.so, or installed).
"""

import os
import sys
import threading

import libchat


def print_history(engine, reader, channel, label):
    for m in engine.history(reader, channel, limit=50).messages:
        sender = engine.get_user(m.sender_id)
        print(f"[{label}] #{m.seq} {sender.username}: {m.text}")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "python_embed.db"
    if os.path.exists(path):
        os.remove(path)  # start from an empty database on every run

    try:
        with libchat.Engine("sqlite3://db=" + path) as engine:
            alice, bob, carol = (
                engine.register_user(name, name + "-secret-pw") for name in ("alice", "bob", "carol")
            )

            # Live events for carol, delivered on a Python thread of the connection.
            heard = []
            got_message = threading.Event()

            def on_event(event):
                heard.append(event)
                if event.kind == libchat.EventKind.MESSAGE_CREATED:
                    got_message.set()

            carol_online = engine.connect(carol.id, on_event=on_event)

            # A direct conversation: one per pair of users, whoever opens it.
            dm = engine.open_direct(alice.id, bob.id)
            engine.send(alice.id, dm.id, "hi bob", client_msg_id="a-1")
            engine.send(bob.id, dm.id, "hi alice", client_msg_id="b-1")

            # A group channel with roles: alice owns it, carol joins as a member.
            team = engine.create_group(alice.id, "team", "launch planning", members=[carol.id])
            engine.send(alice.id, team.id, "welcome", client_msg_id="a-2")
            engine.send(carol.id, team.id, "thanks", client_msg_id="c-1")

            print_history(engine, alice.id, dm.id, "dm alice-bob")
            print_history(engine, carol.id, team.id, "team")

            got_message.wait(5)
            carol_online.close()  # stops its event thread
            kinds = sorted({e.kind.name.lower() for e in heard})
            print("carol heard:", ", ".join(kinds))
    except libchat.ChatError as e:
        print(f"failed: {e.code.name.lower()} ({e.message})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

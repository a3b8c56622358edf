#!/usr/bin/env python3
"""Runs the bot against a real chatd and talks to it through a terminal_client on a pipe.

test_bot.py CHATD BOT TERMINAL_CLIENT DATA_DIR

The bot registers itself; alice opens a direct conversation with it and gets answers to !ping,
!echo, !time and !help; she creates a group with the bot in it and gets pong there too. Then
chatd restarts: the bot is frozen (SIGSTOP) so that it surely misses alice's next command,
which she types while chatd is down (her client re-sends it after reconnecting); once thawed,
the bot reconnects, finds the command with `sync` and answers it. Prints PASS.
"""

import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatd_fixture import Chatd, Process, kill_all  # noqa: E402


def main():
    chatd_bin, bot_bin, client_bin, data_dir = sys.argv[1:5]
    chatd = Chatd(chatd_bin, data_dir).start()
    try:
        chatd.register("alice", "alice password")
        chatd.register("carol", "carol password")
        bot = Process("bot", [bot_bin, "--url", chatd.url, "--username", "helper_bot",
                              "--register", "--backoff-min-ms", "1000"],
                      env=dict(os.environ, CHAT_PASSWORD="bot password 1"))
        bot.expect(r"^bot: ready as helper_bot in 0 channels$")

        alice = Process("alice", [client_bin, "--url", chatd.url, "--username", "alice",
                                  "--password", "alice password", "--backoff-min-ms", "200"])
        alice.expect(r"^signed in as alice")
        alice.send("/dm helper_bot")
        alice.expect(r"^--- type to send to @helper_bot")
        bot.expect(r"^bot: now in @alice$")

        for command, answer in [("!ping", r"pong"), ("!echo hello there", r"hello there"),
                                ("!time", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"),
                                ("!help", r"commands: !ping, !echo TEXT, !time, !help"),
                                ("!dance", r"unknown command !dance; try !help")]:
            mark = alice.mark()
            alice.send(command)
            alice.expect(r"^  \[\d\d:\d\d\] helper_bot: " + answer + "$", after=mark)
        bot.expect(r"^bot: answered !ping in @alice$")
        mark = alice.mark()
        alice.send("no command here")  # the bot stays quiet: the next answer is to !ping
        alice.send("!ping")
        line = alice.expect(r"helper_bot: ", after=mark)
        assert line.endswith("helper_bot: pong"), line

        # A group with the bot in it.
        alice.send("/group lab helper_bot carol")
        alice.expect(r"^--- type to send to #lab")
        bot.expect(r"^bot: now in #lab$")
        mark = alice.mark()
        alice.send("!echo in the group")
        alice.expect(r"^  \[\d\d:\d\d\] helper_bot: in the group$", after=mark)

        # chatd goes away; the bot is frozen so it cannot be back before alice's command.
        chatd.stop()
        os.kill(bot.proc.pid, signal.SIGSTOP)
        alice.expect(r"^! connection lost", after=mark)
        mark = alice.mark()
        alice.send("!echo sent while offline")
        chatd.start()  # same port, same data
        alice.expect(r"^! reconnected", after=mark)
        alice.expect(r"^  \[\d\d:\d\d\] alice: !echo sent while offline$", after=mark)
        bot_mark = bot.mark()
        os.kill(bot.proc.pid, signal.SIGCONT)
        bot.expect(r"^bot: reconnected as helper_bot in 2 channels", after=bot_mark, timeout=30)
        bot.expect(r"^bot: answered !echo in #lab \(recovered by sync\)$", after=bot_mark)
        alice.expect(r"^  \[\d\d:\d\d\] helper_bot: sent while offline$", after=mark)

        alice.send("/quit")
        assert alice.stop() == 0
        bot.proc.terminate()
        assert bot.proc.wait(timeout=10) == 0
        bot.expect(r"^bot: stopping$")
        print("example_bot: PASS", flush=True)
    finally:
        kill_all()


if __name__ == "__main__":
    main()

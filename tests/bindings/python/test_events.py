"""Live events in Python: polling, the event thread, bounded queues and closing orders."""

import threading
import time
import unittest

import libchat
from libchat import EventKind
from support import open_engine, wait_for, wait_until_blocked


class EventsTest(unittest.TestCase):
    def setUp(self):
        self.engine = open_engine()
        e = self.engine
        self.alice = e.register_user("alice", "alice-password").id
        self.bob = e.register_user("bob", "bob-password").id

    def tearDown(self):
        self.engine.close()

    def test_poll_delivers_typed_events_and_their_json(self):
        e = self.engine
        with e.connect(self.alice) as a, e.connect(self.bob) as b:
            self.assertNotEqual(a.id, b.id)
            self.assertEqual(b.poll(), [])
            self.assertEqual(b.poll(timeout=0.02), [])
            dm = e.open_direct(self.alice, self.bob)
            e.open_direct(self.bob, self.alice)  # both chose it: they see each other's presence
            created = wait_for(b, EventKind.CHANNEL_CREATED)
            self.assertEqual(created.channel.id, dm.id)
            a.poll()
            sent = e.send(self.alice, dm.id, "ping", client_msg_id="c-1", origin=a)
            event = wait_for(b, EventKind.MESSAGE_CREATED)
            self.assertEqual(event.message, sent)
            self.assertEqual(event.channel_id, dm.id)
            self.assertEqual(event.data["event"], "message.created")
            self.assertEqual(event.data["message"]["text"], "ping")

            e.typing(self.alice, dm.id, origin=a)
            typing = wait_for(b, EventKind.TYPING)
            self.assertEqual((typing.actor_id, typing.member.username), (self.alice, "alice"))
            e.mark_read(self.bob, dm.id, 1)
            self.assertEqual(wait_for(b, EventKind.READ_MARKER).read_seq, 1)
            # The origin connection hears nothing of its own send. Marker: bob's answer, which
            # comes after it (a connection gets a channel's messages in seq order).
            answer = e.send(self.bob, dm.id, "pong", origin=b)
            self.assertEqual(wait_for(a, EventKind.MESSAGE_CREATED).message, answer)
            self.assertEqual(e.online_contacts(self.alice), [self.bob])
        # b closed: alice would hear bob go offline, but alice closed too.

    def test_presence(self):
        e = self.engine
        e.open_direct(self.alice, self.bob)
        e.open_direct(self.bob, self.alice)  # presence needs both users' choice
        a = e.connect(self.alice)
        b = e.connect(self.bob)
        online = wait_for(a, EventKind.PRESENCE)
        self.assertEqual((online.actor_id, online.online), (self.bob, True))
        b.close()
        offline = wait_for(a, EventKind.PRESENCE)
        self.assertEqual((offline.actor_id, offline.online), (self.bob, False))
        a.close()

    def test_bounded_queue_counts_dropped_events(self):
        e = self.engine
        group = e.create_group(self.alice, "flood", members=[self.bob]).id
        with e.connect(self.bob, max_queued=2) as b:
            for i in range(5):
                e.send(self.alice, group, f"m{i}")
            events = b.poll()
            self.assertEqual([ev.message.text for ev in events], ["m0", "m1"])
            self.assertEqual(b.dropped, 3)
            self.assertEqual(b.poll(max_events=1), [])

    def test_event_thread_calls_back_on_a_python_thread(self):
        e = self.engine
        group = e.create_group(self.alice, "live", members=[self.bob]).id
        got = []
        threads = set()
        arrived = threading.Event()

        def on_event(event):
            threads.add(threading.current_thread().name)
            if event.kind == EventKind.MESSAGE_CREATED:
                got.append(event.message.text)
                if len(got) == 3:
                    arrived.set()
            raise RuntimeError("callback errors go to on_error, the thread goes on")

        failures = []
        b = e.connect(self.bob, on_event=on_event, on_error=failures.append)
        for text in ("one", "two", "three"):
            e.send(self.alice, group, text)
        self.assertTrue(arrived.wait(5))
        self.assertEqual(got, ["one", "two", "three"])
        self.assertTrue(failures and all(isinstance(f, RuntimeError) for f in failures))
        self.assertEqual(threads, {f"libchat-events-{b.id}"})
        with self.assertRaises(RuntimeError):
            b.start(on_event)
        marker = e.connect(self.bob)  # another connection of bob's: it gets what b would
        b.close()
        after = e.send(self.alice, group, "after close")
        self.assertEqual(wait_for(marker, EventKind.MESSAGE_CREATED).message, after)
        marker.close()
        self.assertEqual(got, ["one", "two", "three"])  # nothing after close

    def test_close_wakes_a_blocked_poll(self):
        e = self.engine
        b = e.connect(self.bob)
        result = []
        tid = []

        def poll_forever():
            tid.append(threading.get_native_id())
            result.append(b.poll(timeout=None))

        t = threading.Thread(target=poll_forever)
        t.start()
        wait_until_blocked(tid)
        b.interrupt()
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual(result, [[]])
        b.close()
        b.close()  # idempotent
        with self.assertRaises(libchat.Unavailable):
            b.poll()

    def test_engine_close_ends_connections_gracefully(self):
        e = open_engine()
        alice = e.register_user("alice", "alice-password").id
        bob = e.register_user("bob", "bob-password").id
        group = e.create_group(alice, "g", members=[bob]).id
        polled = e.connect(bob)
        ended = threading.Event()
        threaded = e.connect(bob, on_event=lambda ev: None)
        waiter = threading.Thread(target=lambda: (threaded._thread.join(), ended.set()))
        waiter.start()
        e.send(alice, group, "last words")
        time.sleep(0.05)
        e.close()
        self.assertTrue(ended.wait(5))  # the event thread saw the engine go and ended
        self.assertEqual([ev.message.text for ev in polled.poll() if ev.message], ["last words"])
        with self.assertRaises(libchat.Unavailable):
            polled.poll()
        polled.close()
        threaded.close()


class LaterEventKindsTest(unittest.TestCase):
    """Kinds past TYPING (issue 12, L10) reach Python typed instead of failing the poll."""

    def test_logout_everywhere_ends_a_connection_with_session_revoked(self):
        with open_engine() as e:
            alice = e.register_user("alice", "alice-password").id
            with e.connect(alice) as a:
                e.logout_everywhere(alice)
                event = wait_for(a, EventKind.SESSION_REVOKED)
                self.assertEqual(event.kind, EventKind.SESSION_REVOKED)
                self.assertEqual(event.actor_id, alice)
                self.assertIsNone(event.user)
                self.assertEqual(event.data["event"], "session.revoked")


if __name__ == "__main__":
    unittest.main()

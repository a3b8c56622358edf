"""The Python API over the engine: accounts, channels, membership, messages, errors."""

import datetime
import os
import tempfile
import threading
import unittest

import libchat
from libchat import ErrorCode, Role
from support import open_engine


class ErrorsTest(unittest.TestCase):
    def test_every_code_has_a_subclass_carrying_it(self):
        for code, cls in [
            (ErrorCode.INVALID_ARGUMENT, libchat.InvalidArgument),
            (ErrorCode.NOT_FOUND, libchat.NotFound),
            (ErrorCode.FORBIDDEN, libchat.Forbidden),
            (ErrorCode.CONFLICT, libchat.Conflict),
            (ErrorCode.UNAUTHENTICATED, libchat.Unauthenticated),
            (ErrorCode.UNAVAILABLE, libchat.Unavailable),
            (ErrorCode.INTERNAL, libchat.InternalError),
            (ErrorCode.RATE_LIMITED, libchat.RateLimited),
        ]:
            from libchat._errors import error_for

            e = error_for(int(code), "why")
            self.assertIsInstance(e, cls)
            self.assertIsInstance(e, libchat.ChatError)
            self.assertEqual(e.code, code)
            self.assertEqual(e.message, "why")
            self.assertIn(code.name.lower(), str(e))

    def test_version(self):
        self.assertRegex(libchat.version(), r"^\d+\.\d+\.\d+$")

    def test_bad_connection_string(self):
        with self.assertRaises(libchat.ChatError) as caught:
            libchat.Engine("nosuchbackend://db=x")
        self.assertIn(caught.exception.code, (ErrorCode.INVALID_ARGUMENT, ErrorCode.UNAVAILABLE))
        with self.assertRaises(libchat.InvalidArgument):
            libchat.Engine("")
        with self.assertRaises(libchat.InvalidArgument):
            libchat.Engine("sqlite3://db=:memory:", pool_size=0)

    def test_commit_threads_and_member_cache_options(self):
        for bad in (
            {"commit_threads": 0},
            {"commit_threads": 17},
            {"member_cache_channels": 0},
            {"commit_delay": -1},
            {"commit_delay": datetime.timedelta(milliseconds=101)},
        ):
            with self.assertRaises(libchat.InvalidArgument):
                open_engine(**bad)
        # Two commit threads (MariaDB; SQLite keeps one) and a member cache smaller than the
        # number of channels: every channel still gets its seqs in order.
        with open_engine(commit_threads=2, member_cache_channels=1, commit_delay=0) as e:
            alice = e.register_user("alice", "alice-password").id
            rooms = [e.create_group(alice, f"room{i}").id for i in range(3)]
            for n in range(1, 4):
                for room in rooms:
                    self.assertEqual(e.send(alice, room, f"m{n}").seq, n)

    def test_closed_engine_raises_unavailable(self):
        engine = open_engine()
        engine.close()
        engine.close()  # idempotent
        self.assertTrue(engine.closed)
        with self.assertRaises(libchat.Unavailable):
            engine.register_user("alice", "alice-password")

    def test_strings_with_nul_and_wrong_types_are_refused(self):
        with open_engine() as engine:
            with self.assertRaises(libchat.InvalidArgument):
                engine.register_user("ali\0ce", "alice-password")
            with self.assertRaises(TypeError):
                engine.register_user(b"alice", "alice-password")


class AccountsTest(unittest.TestCase):
    def setUp(self):
        self.now = 1_700_000_000_000
        self.engine = open_engine(clock=lambda: self.now)

    def tearDown(self):
        self.engine.close()

    def test_register_login_authenticate_logout(self):
        e = self.engine
        alice = e.register_user("Alice", "alice-password", email="a@example.com")
        self.assertGreater(alice.id, 0)
        self.assertEqual((alice.username, alice.email, alice.phone), ("Alice", "a@example.com", None))
        self.assertEqual(alice.created_at, self.now)
        with self.assertRaises(libchat.Conflict):
            e.register_user("ALICE", "other-password")
        with self.assertRaises(libchat.InvalidArgument):
            e.register_user("x", "alice-password")

        session = e.login("alice", "alice-password")
        self.assertEqual(session.user, alice)
        self.assertEqual(e.authenticate(session.token).id, alice.id)
        with self.assertRaises(libchat.Unauthenticated) as wrong:
            e.login("alice", "wrong-password")
        self.assertEqual(wrong.exception.code, ErrorCode.UNAUTHENTICATED)
        e.logout(session.token)
        with self.assertRaises(libchat.Unauthenticated):
            e.authenticate(session.token)

        other = e.create_session(alice.id)
        self.now += 31 * 24 * 3600 * 1000  # past the 30-day sliding expiry
        with self.assertRaises(libchat.Unauthenticated):
            e.authenticate(other.token)
        e.login("alice", "alice-password")
        self.assertEqual(e.logout_everywhere(alice.id), 1)

    def test_lookups_and_passwords(self):
        e = self.engine
        bob = e.register_user("bob", "bob-password")
        self.assertEqual(e.get_user(bob.id), bob)
        self.assertEqual(e.find_user("BOB"), bob)
        with self.assertRaises(libchat.NotFound):
            e.get_user(424242)
        with self.assertRaises(libchat.NotFound):
            e.find_user("nobody")
        with self.assertRaises(libchat.Unauthenticated):
            e.change_password(bob.id, "not-it", "new-password")
        e.change_password(bob.id, "bob-password", "new-password")
        e.login("bob", "new-password")

    def test_session_ttl_option(self):
        with open_engine(session_ttl=datetime.timedelta(seconds=60), clock=lambda: self.now) as e:
            e.register_user("carol", "carol-password")
            session = e.login("carol", "carol-password")
            self.assertEqual(session.expires_at, self.now + 60_000)


class ChannelsTest(unittest.TestCase):
    def setUp(self):
        self.engine = open_engine()
        e = self.engine
        self.alice = e.register_user("alice", "alice-password").id
        self.bob = e.register_user("bob", "bob-password").id
        self.carol = e.register_user("carol", "carol-password").id

    def tearDown(self):
        self.engine.close()

    def test_groups_direct_and_listing(self):
        e = self.engine
        team = e.create_group(self.alice, "team", "planning", members=[self.bob])
        self.assertEqual((team.kind, team.name, team.topic), (libchat.ChannelKind.GROUP, "team", "planning"))
        dm = e.open_direct(self.alice, self.carol)
        self.assertEqual(e.open_direct(self.carol, self.alice).id, dm.id)
        with self.assertRaises(libchat.InvalidArgument):
            e.open_direct(self.alice, self.alice)
        with self.assertRaises(libchat.NotFound):
            e.create_group(self.alice, "ghosts", members=[999999])

        e.send(self.carol, dm.id, "hello alice")
        listed = {s.channel.id: s for s in e.list_channels(self.alice)}
        self.assertEqual(set(listed), {team.id, dm.id})
        self.assertEqual(listed[dm.id].peer.username, "carol")
        self.assertEqual(listed[dm.id].last_message.text, "hello alice")
        self.assertEqual(listed[dm.id].unread, 1)
        self.assertEqual(listed[team.id].my_role, Role.OWNER)
        self.assertIsNone(listed[team.id].peer)

        self.assertEqual(e.get_channel(self.bob, team.id).name, "team")
        with self.assertRaises(libchat.Forbidden):
            e.get_channel(self.carol, team.id)
        self.assertEqual(e.rename_channel(self.alice, team.id, "crew").name, "crew")
        self.assertEqual(e.set_topic(self.alice, team.id, "launch").topic, "launch")
        with self.assertRaises(libchat.Forbidden):
            e.rename_channel(self.bob, team.id, "mine")

    def test_membership(self):
        e = self.engine
        team = e.create_group(self.alice, "team").id
        e.add_member(self.alice, team, self.bob, Role.ADMIN)
        roles = {m.user_id: m.role for m in e.members(self.bob, team)}
        self.assertEqual(roles, {self.alice: Role.OWNER, self.bob: Role.ADMIN})
        with self.assertRaises(libchat.Conflict):
            e.add_member(self.alice, team, self.bob)
        with self.assertRaises(libchat.Forbidden):
            e.add_member(self.bob, team, self.carol, Role.OWNER)
        with self.assertRaises(libchat.InvalidArgument):
            e.add_member(self.alice, team, self.carol, 7)
        e.add_member(self.bob, team, self.carol)
        e.set_role(self.alice, team, self.carol, Role.ADMIN)
        with self.assertRaises(libchat.Conflict):
            e.set_role(self.alice, team, self.alice, Role.MEMBER)
        with self.assertRaises(libchat.Forbidden):
            e.remove_member(self.bob, team, self.alice)
        e.remove_member(self.alice, team, self.carol)
        with self.assertRaises(libchat.Forbidden):
            e.members(self.carol, team)
        with self.assertRaises(libchat.Conflict):
            e.leave(self.alice, team)
        e.leave(self.bob, team)
        e.leave(self.alice, team)


class MessagesTest(unittest.TestCase):
    def setUp(self):
        self.engine = open_engine()
        e = self.engine
        self.alice = e.register_user("alice", "alice-password").id
        self.bob = e.register_user("bob", "bob-password").id
        self.group = e.create_group(self.alice, "numbers", members=[self.bob]).id

    def tearDown(self):
        self.engine.close()

    def test_send_is_idempotent_and_validated(self):
        e = self.engine
        m = e.send(self.alice, self.group, "héllo ✓", client_msg_id="k-1")
        self.assertEqual((m.seq, m.text, m.client_msg_id, m.sender_id), (1, "héllo ✓", "k-1", self.alice))
        self.assertEqual(e.send(self.alice, self.group, "héllo ✓", client_msg_id="k-1").id, m.id)
        with self.assertRaises(libchat.InvalidArgument):
            e.send(self.alice, self.group, "")
        with self.assertRaises(libchat.InvalidArgument):
            e.send(self.alice, self.group, "x" * 2001)
        carol = e.register_user("carol", "carol-password").id
        with self.assertRaises(libchat.Forbidden):
            e.send(carol, self.group, "let me in")
        with self.assertRaises(libchat.NotFound):
            e.send(self.alice, 999999, "anyone?")

    def test_history_pages(self):
        e = self.engine
        for i in range(1, 8):
            e.send(self.alice, self.group, f"n{i}")
        page = e.history(self.bob, self.group, limit=3)
        self.assertEqual([m.seq for m in page.messages], [5, 6, 7])
        self.assertTrue(page.has_more)
        page = e.history(self.bob, self.group, before=5, limit=10)
        self.assertEqual([m.text for m in page.messages], ["n1", "n2", "n3", "n4"])
        self.assertFalse(page.has_more)
        page = e.history(self.bob, self.group, after=2, limit=2)
        self.assertEqual([m.seq for m in page.messages], [3, 4])
        self.assertTrue(page.has_more)
        with self.assertRaises(libchat.InvalidArgument):
            e.history(self.bob, self.group, before=1, after=1)
        with self.assertRaises(libchat.InvalidArgument):
            e.history(self.bob, self.group, before=-1)

    def test_sync_and_read_markers(self):
        e = self.engine
        other = e.create_group(self.alice, "other", members=[self.bob]).id
        for _ in range(3):
            e.send(self.alice, self.group, "in group")
        e.send(self.alice, other, "in other")
        everything = {s.channel_id: s for s in e.sync(self.bob)}
        self.assertEqual(len(everything[self.group].messages), 3)
        self.assertEqual(len(everything[other].messages), 1)
        newer = e.sync(self.bob, {self.group: 2, other: 1})
        self.assertEqual([(s.channel_id, [m.seq for m in s.messages]) for s in newer], [(self.group, [3])])
        limited = e.sync(self.bob, limit_per_channel=1)
        self.assertTrue(all(len(s.messages) == 1 for s in limited))
        self.assertTrue(any(s.has_more for s in limited))

        self.assertEqual(e.mark_read(self.bob, self.group, 2), 2)
        self.assertEqual(e.mark_read(self.bob, self.group, 1), 2)
        self.assertEqual(e.mark_read(self.bob, self.group, 50), 3)
        e.typing(self.bob, self.group)
        self.assertEqual(e.online_contacts(self.bob), [])

    def test_concurrent_sends_from_python_threads(self):
        e = self.engine
        errors = []

        def sender(n):
            try:
                for i in range(20):
                    e.send(self.alice, self.group, f"t{n}-{i}", client_msg_id=f"t{n}-{i}")
            except Exception as x:  # pragma: no cover - reported below
                errors.append(x)

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        seqs = [m.seq for m in e.history(self.bob, self.group, limit=200).messages]
        self.assertEqual(seqs, list(range(1, 81)))


class FileDatabaseTest(unittest.TestCase):
    def test_data_survives_reopening(self):
        if os.environ.get("CHAT_TEST_MYSQL"):
            self.skipTest("SQLite file test")
        with tempfile.TemporaryDirectory() as tmp:
            url = "sqlite3://db=" + os.path.join(tmp, "chat.db")
            with libchat.Engine(url, password_cost=libchat.PasswordCost.MINIMUM) as e:
                a = e.register_user("alice", "alice-password")
                e.send(a.id, e.create_group(a.id, "kept").id, "still here")
            with libchat.Engine(url, pool_size=2) as e:
                channel = e.list_channels(a.id)[0]
                self.assertEqual(channel.last_message.text, "still here")


class RangesAndTextTest(unittest.TestCase):
    """Issue 12: ints that do not fit their C type are refused, not wrapped; no U+0000."""

    def test_ids_past_int64_are_refused_not_wrapped(self):
        with open_engine() as e:
            alice = e.register_user("alice", "alice-password").id
            group = e.create_group(alice, "g")
            big = 2**63  # INT64_MAX + 1: ctypes alone would pass -2**63
            for call in (
                lambda: e.get_user(big),
                lambda: e.get_channel(alice, big),
                lambda: e.send(alice, big, "hi"),
                lambda: e.create_group(alice, "h", members=[big]),
                lambda: e.sync(alice, {group.id: big}),
                lambda: e.mark_read(alice, group.id, 2**64 + 1),
            ):
                with self.assertRaises(libchat.InvalidArgument):
                    call()
            with self.assertRaises(libchat.NotFound):
                e.get_user(2**63 - 1)  # INT64_MAX itself is a valid (unknown) id
            with self.assertRaises(libchat.NotFound):
                e.get_channel(alice, 2**63 - 1)

    def test_session_ttl_is_bounded(self):
        with self.assertRaises(libchat.InvalidArgument):
            open_engine(session_ttl=3650 * 24 * 3600 + 1)
        with self.assertRaises(libchat.InvalidArgument):
            open_engine(session_ttl=2**63)
        with open_engine(session_ttl=3650 * 24 * 3600) as e:
            e.register_user("alice", "alice-password")
            session = e.login("alice", "alice-password")
            self.assertEqual(e.authenticate(session.token).username, "alice")

    def test_u0000_is_refused_not_cut(self):
        with open_engine() as e:
            alice = e.register_user("alice", "alice-password").id
            group = e.create_group(alice, "g")
            for call in (
                lambda: e.send(alice, group.id, "before\0after"),
                lambda: e.send(alice, group.id, "text", client_msg_id="k\0"),
                lambda: e.rename_channel(alice, group.id, "a\0b"),
            ):
                with self.assertRaises(libchat.InvalidArgument):
                    call()
            self.assertEqual(e.history(alice, group.id).messages, [])


if __name__ == "__main__":
    unittest.main()

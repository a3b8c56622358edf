"""Engine and Connection: the Python face of chat_engine and chat_connection."""

import ctypes
import threading
import time
import traceback
from datetime import timedelta
from typing import Callable, Iterable, List, Mapping, Optional, Union

from . import _convert
from ._errors import ChatError, Unavailable, error_for
from ._native import CLOCK_FN, Error, SyncCursor, lib
from ._types import ErrorCode, Role

_UTF8 = "utf-8"


def _encode(value, what, optional=False):
    """str -> NUL-terminated UTF-8 for the C API (None passes through where allowed)."""
    if value is None:
        if optional:
            return None
        raise error_for(ErrorCode.INVALID_ARGUMENT, f"{what} is None")
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise error_for(ErrorCode.INVALID_ARGUMENT, f"{what} must not contain NUL")
    return value.encode(_UTF8)


def _integer_range(ctype):
    bits = ctypes.sizeof(ctype) * 8
    if ctype(-1).value == -1:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


_INTEGER_TYPES = (
    ctypes.c_int,
    ctypes.c_int64,
    ctypes.c_size_t,
    ctypes.c_uint64,
)
_RANGES = {t: _integer_range(t) for t in _INTEGER_TYPES}


def _in_range(value, ctype, what="an integer argument"):
    """ctypes wraps an int that does not fit its C type (2**63 becomes a negative id): refuse
    it instead, as InvalidArgument."""
    low, high = _RANGES[ctype]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not low <= value <= high:
        raise error_for(ErrorCode.INVALID_ARGUMENT, f"{what} {value} is out of range")
    return value


def _check_integers(fn, args):
    for value, ctype in zip(args, fn.argtypes or ()):
        if ctype in _RANGES and isinstance(value, int):
            _in_range(value, ctype)


def _raise_if_failed(err):
    if err.code != ErrorCode.OK:
        raise error_for(err.code, err.message.decode(_UTF8, "replace"))


def _take(pointer, convert, free):
    """Converts a returned C object and frees it."""
    try:
        return convert(pointer.contents)
    finally:
        free(pointer)


class Engine:
    """An open chat engine (chat_engine). Thread-safe: call it from any thread.

    `database` is a SOCI connection string: "sqlite3://db=/path/chat.db" (or db=:memory:) or
    "mysql://db=chat user=chat password=... unix_socket=/path/mysql.sock" ("host=H port=P").
    Failing calls raise ChatError (a subclass per code: NotFound, Forbidden, ...).
    Use it as a context manager, or call close(); close() waits for calls in progress.
    """

    def __init__(
        self,
        database: str = "sqlite3://db=chat.db",
        *,
        pool_size: Optional[int] = None,
        session_ttl: Union[None, int, timedelta] = None,
        password_cost=None,
        max_commit_batch: Optional[int] = None,
        commit_threads: Optional[int] = None,
        member_cache_channels: Optional[int] = None,
        commit_delay: Union[None, int, timedelta] = None,
        clock: Optional[Callable[[], int]] = None,
    ):
        """`session_ttl`: seconds or a timedelta; `commit_delay`: microseconds or a timedelta
        (0 to 100 ms, default 0: off; how long a group commit under load waits for more sends);
        `clock`: returns epoch milliseconds and is
        called on engine threads (for tests that age sessions)."""
        self._lock = threading.Condition()
        self._calls = 0  # calls in progress, guarded by _lock
        self._handle = None
        self._clock = None  # keeps the ctypes callback alive as long as the engine
        options = lib.chat_engine_options_new()
        if not options:
            raise MemoryError("chat_engine_options_new")
        try:
            err = Error()
            ok = lib.chat_engine_options_set_database(
                options, _encode(database, "database"), ctypes.byref(err)
            )
            if ok and pool_size is not None:
                ok = lib.chat_engine_options_set_pool_size(
                    options, _in_range(pool_size, ctypes.c_int, "pool_size"), ctypes.byref(err)
                )
            if ok and session_ttl is not None:
                seconds = (
                    int(session_ttl.total_seconds())
                    if isinstance(session_ttl, timedelta)
                    else int(session_ttl)
                )
                ok = lib.chat_engine_options_set_session_ttl(
                    options, _in_range(seconds, ctypes.c_int64, "session_ttl"), ctypes.byref(err)
                )
            if ok and password_cost is not None:
                ok = lib.chat_engine_options_set_password_cost(
                    options, int(password_cost), ctypes.byref(err)
                )
            if ok and max_commit_batch is not None:
                ok = lib.chat_engine_options_set_max_commit_batch(
                    options,
                    _in_range(max_commit_batch, ctypes.c_int, "max_commit_batch"),
                    ctypes.byref(err),
                )
            if ok and commit_threads is not None:
                ok = lib.chat_engine_options_set_commit_threads(
                    options,
                    _in_range(commit_threads, ctypes.c_int, "commit_threads"),
                    ctypes.byref(err),
                )
            if ok and member_cache_channels is not None:
                ok = lib.chat_engine_options_set_member_cache_channels(
                    options,
                    _in_range(member_cache_channels, ctypes.c_int, "member_cache_channels"),
                    ctypes.byref(err),
                )
            if ok and commit_delay is not None:
                micros = (
                    (commit_delay // timedelta(microseconds=1))
                    if isinstance(commit_delay, timedelta)
                    else int(commit_delay)
                )
                ok = lib.chat_engine_options_set_commit_delay_us(
                    options, _in_range(micros, ctypes.c_int64, "commit_delay"), ctypes.byref(err)
                )
            _raise_if_failed(err)
            if clock is not None:
                self._clock = CLOCK_FN(_safe_clock(clock))
                lib.chat_engine_options_set_clock(options, self._clock, None)
            handle = lib.chat_engine_open(options, ctypes.byref(err))
            _raise_if_failed(err)
            self._handle = handle
        finally:
            lib.chat_engine_options_free(options)

    # ---- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Finishes pending sends and stops the engine. Open connections stop receiving:
        their poll() returns what is queued, then raises Unavailable. Idempotent."""
        with self._lock:
            handle, self._handle = self._handle, None
            while self._calls:
                self._lock.wait()
        if handle:
            lib.chat_engine_close(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def _call(self, fn, *args):
        """Calls a C function with the engine handle first and an error last; raises on
        failure, returns the raw result."""
        _check_integers(fn, (None, *args))
        with self._lock:
            if self._handle is None:
                raise Unavailable(ErrorCode.UNAVAILABLE, "the engine is closed")
            handle = self._handle
            self._calls += 1
        try:
            err = Error()
            result = fn(handle, *args, ctypes.byref(err))
            _raise_if_failed(err)
            return result
        finally:
            with self._lock:
                self._calls -= 1
                if not self._calls:
                    self._lock.notify_all()

    def _object(self, fn, convert, free, *args):
        return _take(self._call(fn, *args), convert, free)

    def check_database(self) -> None:
        """Raises Unavailable unless the database answers now."""
        self._call(lib.chat_check_database)

    # ---- accounts ----------------------------------------------------------------------

    def register_user(self, username: str, password: str, email=None, phone=None):
        """Creates an account. InvalidArgument for bad input, Conflict if the name is taken."""
        return self._object(
            lib.chat_register_user,
            _convert.user,
            lib.chat_user_free,
            _encode(username, "username"),
            _encode(password, "password"),
            _encode(email, "email", optional=True),
            _encode(phone, "phone", optional=True),
        )

    def login(self, username: str, password: str):
        """Starts a session. Unauthenticated for an unknown user or a wrong password."""
        return self._object(
            lib.chat_login,
            _convert.session,
            lib.chat_session_free,
            _encode(username, "username"),
            _encode(password, "password"),
        )

    def create_session(self, user_id: int):
        return self._object(
            lib.chat_create_session, _convert.session, lib.chat_session_free, user_id
        )

    def authenticate(self, token: str):
        """The user of a session token (slides its expiry). Unauthenticated if invalid."""
        return self._object(
            lib.chat_authenticate, _convert.user, lib.chat_user_free, _encode(token, "token")
        )

    def logout(self, token: str) -> None:
        self._call(lib.chat_logout, _encode(token, "token"))

    def logout_everywhere(self, user_id: int) -> int:
        return self._call(lib.chat_logout_everywhere, user_id)

    def get_user(self, user_id: int):
        return self._object(lib.chat_get_user, _convert.user, lib.chat_user_free, user_id)

    def find_user(self, username: str):
        return self._object(
            lib.chat_find_user, _convert.user, lib.chat_user_free, _encode(username, "username")
        )

    def change_password(self, user_id: int, old_password: str, new_password: str) -> None:
        self._call(
            lib.chat_change_password,
            user_id,
            _encode(old_password, "old_password"),
            _encode(new_password, "new_password"),
        )

    # ---- channels and membership ---------------------------------------------------------

    def create_group(self, creator: int, name: str, topic: str = "", members: Iterable[int] = ()):
        ids = list(members)
        array = (
            (ctypes.c_int64 * len(ids))(*[_in_range(i, ctypes.c_int64, "a member id") for i in ids])
            if ids
            else None
        )
        return self._object(
            lib.chat_create_group,
            _convert.channel,
            lib.chat_channel_free,
            creator,
            _encode(name, "name"),
            _encode(topic, "topic"),
            array,
            len(ids),
        )

    def open_direct(self, me: int, peer: int):
        return self._object(
            lib.chat_open_direct, _convert.channel, lib.chat_channel_free, me, peer
        )

    def list_channels(self, me: int):
        return self._object(
            lib.chat_list_channels,
            lambda c: _convert.items(c.items, c.count, _convert.summary),
            lib.chat_channel_list_free,
            me,
        )

    def get_channel(self, me: int, channel_id: int):
        return self._object(
            lib.chat_get_channel, _convert.channel, lib.chat_channel_free, me, channel_id
        )

    def rename_channel(self, actor: int, channel_id: int, name: str):
        return self._object(
            lib.chat_rename_channel,
            _convert.channel,
            lib.chat_channel_free,
            actor,
            channel_id,
            _encode(name, "name"),
        )

    def set_topic(self, actor: int, channel_id: int, topic: str):
        return self._object(
            lib.chat_set_topic,
            _convert.channel,
            lib.chat_channel_free,
            actor,
            channel_id,
            _encode(topic, "topic"),
        )

    def members(self, me: int, channel_id: int):
        return self._object(
            lib.chat_members,
            lambda c: _convert.items(c.items, c.count, _convert.member),
            lib.chat_member_list_free,
            me,
            channel_id,
        )

    def add_member(self, actor: int, channel_id: int, target: int, role=Role.MEMBER) -> None:
        self._call(lib.chat_add_member, actor, channel_id, target, int(role))

    def remove_member(self, actor: int, channel_id: int, target: int) -> None:
        self._call(lib.chat_remove_member, actor, channel_id, target)

    def leave(self, me: int, channel_id: int) -> None:
        self._call(lib.chat_leave, me, channel_id)

    def set_role(self, actor: int, channel_id: int, target: int, role) -> None:
        self._call(lib.chat_set_role, actor, channel_id, target, int(role))

    # ---- messages --------------------------------------------------------------------------

    def send(self, sender: int, channel_id: int, text: str, client_msg_id: str = "",
             origin: Optional["Connection"] = None):
        """Sends a message; returns it once durable. A retry with the same client_msg_id
        returns the original. `origin` (the sender's connection) gets no event for it."""
        return self._object(
            lib.chat_send,
            _convert.message,
            lib.chat_message_free,
            sender,
            channel_id,
            _encode(text, "text"),
            _encode(client_msg_id, "client_msg_id", optional=True),
            origin._raw() if origin is not None else None,
        )

    def history(self, me: int, channel_id: int, *, before: Optional[int] = None,
                after: Optional[int] = None, limit: int = 50):
        """A page of history, ascending seq: the latest, or before/after a seq (exclusive)."""
        if before is not None and after is not None:
            raise error_for(ErrorCode.INVALID_ARGUMENT, "give before or after, not both")
        direction, seq = (0, 0)
        if before is not None:
            direction, seq = (1, before)
        elif after is not None:
            direction, seq = (2, after)
        return self._object(
            lib.chat_history,
            _convert.history,
            lib.chat_message_list_free,
            me,
            channel_id,
            direction,
            seq,
            limit,
        )

    def sync(self, me: int, cursors: Optional[Mapping[int, int]] = None,
             limit_per_channel: int = 200):
        """What is new in all my channels after `cursors` ({channel_id: after_seq}; channels
        without one: from the start). Returns a SyncResult (a list of ChannelSync, ascending
        channel id, with has_more: call again with the cursors moved on)."""
        cursors = dict(cursors or {})
        array = (SyncCursor * len(cursors))(
            *[
                SyncCursor(_in_range(c, ctypes.c_int64, "a channel id"),
                           _in_range(s, ctypes.c_int64, "a seq"))
                for c, s in cursors.items()
            ]
        )
        return self._object(
            lib.chat_sync,
            _convert.sync,
            lib.chat_sync_result_free,
            me,
            array if cursors else None,
            len(cursors),
            limit_per_channel,
        )

    def mark_read(self, me: int, channel_id: int, seq: int,
                  origin: Optional["Connection"] = None) -> int:
        """Moves my read marker forward (clamped) and returns it."""
        return self._call(
            lib.chat_mark_read, me, channel_id, seq, origin._raw() if origin else None
        )

    def typing(self, me: int, channel_id: int, origin: Optional["Connection"] = None) -> None:
        self._call(lib.chat_typing, me, channel_id, origin._raw() if origin else None)

    def online_contacts(self, me: int) -> List[int]:
        return self._object(
            lib.chat_online_contacts,
            lambda c: [c.ids[i] for i in range(c.count)],
            lib.chat_id_list_free,
            me,
        )

    # ---- live events ---------------------------------------------------------------------

    def connect(self, user_id: int, *, max_queued: int = 0,
                on_event: Optional[Callable] = None,
                on_error: Optional[Callable] = None) -> "Connection":
        """Connects a user's session. Events queue in the connection until poll() takes them
        (`max_queued` bounds the queue; 0: unbounded). With `on_event`, a Python thread of
        the connection polls and calls it for each event (see Connection.start).
        Either way Python code runs only on Python threads, never on the engine's."""
        handle = self._call(lib.chat_engine_connect, user_id, max_queued)
        connection = Connection(self, handle, user_id)
        if on_event is not None:
            connection.start(on_event, on_error)
        return connection


def _safe_clock(clock):
    def call(_user_data):
        try:
            return int(clock())
        except Exception:  # never let an exception reach the engine thread
            traceback.print_exc()
            return int(time.time() * 1000)

    return call


class Connection:
    """A connected session (chat_connection) with a polled event queue.

    poll() takes events on the calling thread; start(callback) runs a Python thread that
    polls and calls `callback(event)` for each. close() stops that thread and disconnects.
    """

    def __init__(self, engine: Engine, handle, user_id: int):
        self._engine = engine  # keeps the engine alive while the connection is
        self._handle = handle
        self.user_id = user_id
        self.id = lib.chat_connection_id(handle)
        self.dropped = 0  # events lost to a full queue (max_queued) since connect
        self._poll_lock = threading.Lock()  # one C poll at a time; close waits for it
        self._closing = False
        self._thread = None
        self._stop = threading.Event()

    def _raw(self):
        return self._handle

    def poll(self, timeout: Optional[float] = 0.0, max_events: int = 0):
        """Takes up to `max_events` queued events (0: all), waiting up to `timeout` seconds
        for the first (None: until one comes or interrupt()). Returns a list, possibly
        empty. Raises Unavailable once the engine is closed and nothing is left."""
        ms = -1 if timeout is None else min(max(0, int(timeout * 1000)), 2**31 - 1)
        with self._poll_lock:
            if self._closing or self._handle is None:
                raise Unavailable(ErrorCode.UNAVAILABLE, "the connection is closed")
            err = Error()
            batch = lib.chat_connection_poll(self._handle, max_events, ms, ctypes.byref(err))
        _raise_if_failed(err)
        if not batch:
            return []
        try:
            self.dropped += batch.contents.dropped
            return _convert.items(batch.contents.events, batch.contents.count, _convert.event)
        finally:
            lib.chat_event_batch_free(batch)

    def interrupt(self) -> None:
        """Makes a waiting poll() (or the next one) return at once. Any thread."""
        handle = self._handle
        if handle is not None:
            lib.chat_connection_interrupt(handle)

    def start(self, callback: Callable, on_error: Optional[Callable] = None) -> None:
        """Calls `callback(event)` for each event, in order, on a new daemon thread of this
        connection ("libchat-events-<id>"). An exception from the callback goes to
        `on_error(exception)` (default: printed) and the thread goes on. The thread ends with
        stop(), close(), or when the engine closes."""
        if self._thread is not None:
            raise RuntimeError("this connection already has an event thread")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._dispatch,
            args=(callback, on_error),
            name=f"libchat-events-{self.id}",
            daemon=True,
        )
        self._thread.start()

    def _dispatch(self, callback, on_error):
        while not self._stop.is_set():
            try:
                events = self.poll(timeout=None)
            except ChatError:
                return  # the engine or the connection was closed
            for event in events:
                try:
                    callback(event)
                except Exception as e:
                    if on_error is None:
                        traceback.print_exc()
                    else:
                        on_error(e)

    def stop(self) -> None:
        """Stops the event thread started by start() after its current callback."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self.interrupt()
        if thread is not threading.current_thread():
            thread.join()

    def close(self) -> None:
        """Stops the event thread and disconnects; queued events are discarded. Idempotent."""
        self.stop()
        self._closing = True
        self.interrupt()
        with self._poll_lock:
            handle, self._handle = self._handle, None
            if handle is not None:
                lib.chat_connection_close(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

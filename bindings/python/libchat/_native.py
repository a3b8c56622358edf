"""ctypes declarations of the C API (bindings/c/include/chat.h); private to the package.

Every struct here mirrors chat.h field for field. Structs returned by the library are only read
through pointers and released with their chat_*_free function, as chat.h requires.
"""

import ctypes
import ctypes.util
import os

_c = ctypes

ERROR_MESSAGE_SIZE = 256


class Error(_c.Structure):
    _fields_ = [("code", _c.c_int), ("message", _c.c_char * ERROR_MESSAGE_SIZE)]


class User(_c.Structure):
    _fields_ = [
        ("id", _c.c_int64),
        ("username", _c.c_char_p),
        ("email", _c.c_char_p),
        ("phone", _c.c_char_p),
        ("created_at", _c.c_int64),
    ]


class Session(_c.Structure):
    _fields_ = [("token", _c.c_char_p), ("user", User), ("expires_at", _c.c_int64)]


class Channel(_c.Structure):
    _fields_ = [
        ("id", _c.c_int64),
        ("kind", _c.c_int),
        ("name", _c.c_char_p),
        ("topic", _c.c_char_p),
        ("created_by", _c.c_int64),
        ("created_at", _c.c_int64),
    ]


class Member(_c.Structure):
    _fields_ = [
        ("user_id", _c.c_int64),
        ("username", _c.c_char_p),
        ("role", _c.c_int),
        ("joined_at", _c.c_int64),
    ]


class Message(_c.Structure):
    _fields_ = [
        ("id", _c.c_int64),
        ("channel_id", _c.c_int64),
        ("seq", _c.c_int64),
        ("sender_id", _c.c_int64),
        ("text", _c.c_char_p),
        ("client_msg_id", _c.c_char_p),
        ("created_at", _c.c_int64),
    ]


class ChannelSummary(_c.Structure):
    _fields_ = [
        ("channel", Channel),
        ("my_role", _c.c_int),
        ("last_seq", _c.c_int64),
        ("last_read_seq", _c.c_int64),
        ("unread", _c.c_int64),
        ("peer", _c.POINTER(User)),
        ("last_message", _c.POINTER(Message)),
    ]


class ChannelList(_c.Structure):
    _fields_ = [("count", _c.c_size_t), ("items", _c.POINTER(ChannelSummary))]


class MemberList(_c.Structure):
    _fields_ = [("count", _c.c_size_t), ("items", _c.POINTER(Member))]


class MessageList(_c.Structure):
    _fields_ = [
        ("count", _c.c_size_t),
        ("items", _c.POINTER(Message)),
        ("has_more", _c.c_bool),
    ]


class IdList(_c.Structure):
    _fields_ = [("count", _c.c_size_t), ("ids", _c.POINTER(_c.c_int64))]


class SyncCursor(_c.Structure):
    _fields_ = [("channel_id", _c.c_int64), ("after_seq", _c.c_int64)]


class ChannelSync(_c.Structure):
    _fields_ = [
        ("channel_id", _c.c_int64),
        ("count", _c.c_size_t),
        ("messages", _c.POINTER(Message)),
        ("has_more", _c.c_bool),
    ]


class SyncResult(_c.Structure):
    _fields_ = [
        ("count", _c.c_size_t),
        ("channels", _c.POINTER(ChannelSync)),
        ("has_more", _c.c_bool),
    ]


class Event(_c.Structure):
    _fields_ = [
        ("kind", _c.c_int),
        ("channel_id", _c.c_int64),
        ("actor_id", _c.c_int64),
        ("json", _c.c_char_p),
        ("json_size", _c.c_size_t),
        ("message", _c.POINTER(Message)),
        ("channel", _c.POINTER(Channel)),
        ("member", _c.POINTER(Member)),
        ("read_seq", _c.c_int64),
        ("online", _c.c_bool),
        ("user", _c.POINTER(User)),
    ]


class EventBatch(_c.Structure):
    _fields_ = [
        ("count", _c.c_size_t),
        ("events", _c.POINTER(Event)),
        ("dropped", _c.c_uint64),
    ]


CLOCK_FN = _c.CFUNCTYPE(_c.c_int64, _c.c_void_p)

_P = _c.POINTER
_ERR = _P(Error)
_ENGINE = _c.c_void_p
_CONN = _c.c_void_p
_OPTIONS = _c.c_void_p
_I64 = _c.c_int64
_STR = _c.c_char_p

# name: (restype, argtypes)
_SIGNATURES = {
    "chat_version": (_STR, []),
    "chat_errc_to_string": (_STR, [_c.c_int]),
    "chat_role_to_string": (_STR, [_c.c_int]),
    "chat_channel_kind_to_string": (_STR, [_c.c_int]),
    "chat_event_kind_to_string": (_STR, [_c.c_int]),
    "chat_user_free": (None, [_P(User)]),
    "chat_session_free": (None, [_P(Session)]),
    "chat_channel_free": (None, [_P(Channel)]),
    "chat_message_free": (None, [_P(Message)]),
    "chat_channel_list_free": (None, [_P(ChannelList)]),
    "chat_member_list_free": (None, [_P(MemberList)]),
    "chat_message_list_free": (None, [_P(MessageList)]),
    "chat_id_list_free": (None, [_P(IdList)]),
    "chat_sync_result_free": (None, [_P(SyncResult)]),
    "chat_event_batch_free": (None, [_P(EventBatch)]),
    "chat_engine_options_new": (_OPTIONS, []),
    "chat_engine_options_free": (None, [_OPTIONS]),
    "chat_engine_options_set_database": (_c.c_bool, [_OPTIONS, _STR, _ERR]),
    "chat_engine_options_set_pool_size": (_c.c_bool, [_OPTIONS, _c.c_int, _ERR]),
    "chat_engine_options_set_session_ttl": (_c.c_bool, [_OPTIONS, _I64, _ERR]),
    "chat_engine_options_set_password_cost": (_c.c_bool, [_OPTIONS, _c.c_int, _ERR]),
    "chat_engine_options_set_max_commit_batch": (_c.c_bool, [_OPTIONS, _c.c_int, _ERR]),
    "chat_engine_options_set_commit_threads": (_c.c_bool, [_OPTIONS, _c.c_int, _ERR]),
    "chat_engine_options_set_member_cache_channels": (_c.c_bool, [_OPTIONS, _c.c_int, _ERR]),
    "chat_engine_options_set_commit_delay_us": (_c.c_bool, [_OPTIONS, _c.c_int64, _ERR]),
    "chat_engine_options_set_clock": (None, [_OPTIONS, CLOCK_FN, _c.c_void_p]),
    "chat_engine_open": (_ENGINE, [_OPTIONS, _ERR]),
    "chat_engine_close": (None, [_ENGINE]),
    "chat_check_database": (_c.c_bool, [_ENGINE, _ERR]),
    "chat_register_user": (_P(User), [_ENGINE, _STR, _STR, _STR, _STR, _ERR]),
    "chat_login": (_P(Session), [_ENGINE, _STR, _STR, _ERR]),
    "chat_create_session": (_P(Session), [_ENGINE, _I64, _ERR]),
    "chat_authenticate": (_P(User), [_ENGINE, _STR, _ERR]),
    "chat_logout": (_c.c_bool, [_ENGINE, _STR, _ERR]),
    "chat_logout_everywhere": (_c.c_int, [_ENGINE, _I64, _ERR]),
    "chat_get_user": (_P(User), [_ENGINE, _I64, _ERR]),
    "chat_find_user": (_P(User), [_ENGINE, _STR, _ERR]),
    "chat_change_password": (_c.c_bool, [_ENGINE, _I64, _STR, _STR, _ERR]),
    "chat_create_group": (
        _P(Channel),
        [_ENGINE, _I64, _STR, _STR, _P(_I64), _c.c_size_t, _ERR],
    ),
    "chat_open_direct": (_P(Channel), [_ENGINE, _I64, _I64, _ERR]),
    "chat_list_channels": (_P(ChannelList), [_ENGINE, _I64, _ERR]),
    "chat_get_channel": (_P(Channel), [_ENGINE, _I64, _I64, _ERR]),
    "chat_rename_channel": (_P(Channel), [_ENGINE, _I64, _I64, _STR, _ERR]),
    "chat_set_topic": (_P(Channel), [_ENGINE, _I64, _I64, _STR, _ERR]),
    "chat_members": (_P(MemberList), [_ENGINE, _I64, _I64, _ERR]),
    "chat_add_member": (_c.c_bool, [_ENGINE, _I64, _I64, _I64, _c.c_int, _ERR]),
    "chat_remove_member": (_c.c_bool, [_ENGINE, _I64, _I64, _I64, _ERR]),
    "chat_leave": (_c.c_bool, [_ENGINE, _I64, _I64, _ERR]),
    "chat_set_role": (_c.c_bool, [_ENGINE, _I64, _I64, _I64, _c.c_int, _ERR]),
    "chat_engine_connect": (_CONN, [_ENGINE, _I64, _c.c_size_t, _ERR]),
    "chat_connection_poll": (_P(EventBatch), [_CONN, _c.c_size_t, _c.c_int, _ERR]),
    "chat_connection_interrupt": (None, [_CONN]),
    "chat_connection_id": (_c.c_uint64, [_CONN]),
    "chat_connection_close": (None, [_CONN]),
    "chat_online_contacts": (_P(IdList), [_ENGINE, _I64, _ERR]),
    "chat_send": (_P(Message), [_ENGINE, _I64, _I64, _STR, _STR, _CONN, _ERR]),
    "chat_history": (
        _P(MessageList),
        [_ENGINE, _I64, _I64, _c.c_int, _I64, _c.c_int, _ERR],
    ),
    "chat_sync": (
        _P(SyncResult),
        [_ENGINE, _I64, _P(SyncCursor), _c.c_size_t, _c.c_int, _ERR],
    ),
    "chat_mark_read": (_I64, [_ENGINE, _I64, _I64, _I64, _CONN, _ERR]),
    "chat_typing": (_c.c_bool, [_ENGINE, _I64, _I64, _CONN, _ERR]),
}


def _candidates():
    """Where libchat_c may be, most specific first."""
    explicit = os.environ.get("LIBCHAT_C_LIBRARY")
    if explicit:
        yield explicit
        return
    try:  # written by `cmake --install`: the library's place relative to this package
        from . import _install_paths

        here = os.path.dirname(os.path.abspath(__file__))
        yield os.path.normpath(os.path.join(here, _install_paths.LIBRARY))
    except ImportError:
        pass
    found = ctypes.util.find_library("chat_c")
    if found:
        yield found
    yield "libchat_c.so.0"  # the loader's search path (LD_LIBRARY_PATH, ld.so.cache)


def _load():
    failures = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as e:
            failures.append(f"{candidate}: {e}")
    raise ImportError(
        "libchat: cannot load libchat_c (set LIBCHAT_C_LIBRARY to its path): "
        + "; ".join(failures)
    )


lib = _load()
for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

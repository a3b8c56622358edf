"""libchat for Python: the embeddable chat engine through its C API (libchat_c, via ctypes).

    import libchat
    with libchat.Engine("sqlite3://db=chat.db") as engine:
        alice = engine.register_user("alice", "a long password")
        bob = engine.register_user("bob", "another password")
        dm = engine.open_direct(alice.id, bob.id)
        engine.send(alice.id, dm.id, "hi bob")

Errors raise ChatError (subclasses NotFound, Forbidden, Conflict, ...), carrying `.code`.
Events arrive through Engine.connect(): poll() them, or pass on_event= to have a Python thread
call you; Python code never runs on the engine's own threads. See docs/embedding.md.
"""

from ._engine import Connection, Engine
from ._errors import (
    ChatError,
    Conflict,
    Forbidden,
    InternalError,
    InvalidArgument,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from ._native import lib as _lib
from ._types import (
    Channel,
    ChannelKind,
    ChannelSummary,
    ChannelSync,
    ErrorCode,
    Event,
    EventKind,
    HistoryPage,
    Member,
    Message,
    PasswordCost,
    Role,
    Session,
    User,
)

__version__ = _lib.chat_version().decode("ascii")


def version() -> str:
    """The version of the loaded libchat_c."""
    return __version__


__all__ = [
    "Channel",
    "ChannelKind",
    "ChannelSummary",
    "ChannelSync",
    "ChatError",
    "Conflict",
    "Connection",
    "Engine",
    "ErrorCode",
    "Event",
    "EventKind",
    "Forbidden",
    "HistoryPage",
    "InternalError",
    "InvalidArgument",
    "Member",
    "Message",
    "NotFound",
    "RateLimited",
    "PasswordCost",
    "Role",
    "Session",
    "Unauthenticated",
    "Unavailable",
    "User",
    "version",
]

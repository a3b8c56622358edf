"""Value types of the Python API: enums mirroring chat.h and immutable dataclasses."""

import enum
import json as _json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional


class ErrorCode(enum.IntEnum):
    """Stable error codes, the same integers as chat_errc and chat::errc."""

    OK = 0
    INVALID_ARGUMENT = 1
    NOT_FOUND = 2
    FORBIDDEN = 3
    CONFLICT = 4
    UNAUTHENTICATED = 5
    UNAVAILABLE = 6
    INTERNAL = 7
    RATE_LIMITED = 8


class ChannelKind(enum.IntEnum):
    GROUP = 0
    DIRECT = 1


class Role(enum.IntEnum):
    MEMBER = 0
    ADMIN = 1
    OWNER = 2


class PasswordCost(enum.IntEnum):
    MINIMUM = 0  # tests only
    INTERACTIVE = 1
    MODERATE = 2


class EventKind(enum.IntEnum):
    MESSAGE_CREATED = 0
    CHANNEL_CREATED = 1
    CHANNEL_UPDATED = 2
    MEMBER_ADDED = 3
    MEMBER_REMOVED = 4
    MEMBER_ROLE_CHANGED = 5
    READ_MARKER = 6
    PRESENCE = 7
    TYPING = 8
    SESSION_REVOKED = 9  # the engine dropped this connection (logout_everywhere): its last event
    USER_UPDATED = 10  # a contact (or I) changed username; Event.user is the user as now


@dataclass(frozen=True)
class User:
    id: int
    username: str
    email: Optional[str] = None
    phone: Optional[str] = None
    created_at: int = 0  # epoch ms


@dataclass(frozen=True)
class Session:
    token: str
    user: User
    expires_at: int  # epoch ms


@dataclass(frozen=True)
class Channel:
    id: int
    kind: ChannelKind
    name: str
    topic: str
    created_by: int
    created_at: int


@dataclass(frozen=True)
class Member:
    user_id: int
    username: str
    role: Role
    joined_at: int


@dataclass(frozen=True)
class Message:
    id: int
    channel_id: int
    seq: int
    sender_id: int
    text: str
    client_msg_id: str
    created_at: int


@dataclass(frozen=True)
class ChannelSummary:
    channel: Channel
    my_role: Role
    last_seq: int
    last_read_seq: int
    unread: int
    peer: Optional[User] = None  # the other user of a direct conversation
    last_message: Optional[Message] = None


@dataclass(frozen=True)
class HistoryPage:
    messages: List[Message]  # ascending seq
    has_more: bool


@dataclass(frozen=True)
class ChannelSync:
    channel_id: int
    messages: List[Message]
    has_more: bool


class SyncResult(list):
    """The ChannelSync entries of one sync, ascending channel id. `has_more`: the reply ended
    early (byte budget or 100 channels); call sync again with the cursors moved on."""

    def __init__(self, channels=(), has_more: bool = False):
        super().__init__(channels)
        self.has_more = has_more


@dataclass(frozen=True)
class Event:
    """A live event. `json` is the wire frame (docs/protocol.md); the other fields carry the
    same data typed; `data` is the frame parsed."""

    kind: EventKind
    channel_id: int  # 0 for presence
    actor_id: int  # who caused it; presence and typing: the user concerned
    json: str
    message: Optional[Message] = None  # MESSAGE_CREATED
    channel: Optional[Channel] = None  # CHANNEL_CREATED, CHANNEL_UPDATED
    member: Optional[Member] = None  # MEMBER_*; TYPING: who
    read_seq: int = 0  # READ_MARKER
    online: bool = False  # PRESENCE
    user: Optional[User] = None  # USER_UPDATED

    @property
    def data(self) -> Dict[str, Any]:
        return _json.loads(self.json)

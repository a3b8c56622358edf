"""Copies C structs (from _native) into the package's dataclasses; private."""

from ._types import (
    Channel,
    ChannelKind,
    ChannelSummary,
    ChannelSync,
    Event,
    EventKind,
    HistoryPage,
    Member,
    Message,
    Role,
    Session,
    SyncResult,
    User,
)


def text(raw):
    """A C string (bytes or None) as str or None."""
    return None if raw is None else raw.decode("utf-8")


def user(c):
    return User(c.id, text(c.username), text(c.email), text(c.phone), c.created_at)


def session(c):
    return Session(text(c.token), user(c.user), c.expires_at)


def channel(c):
    return Channel(
        c.id, ChannelKind(c.kind), text(c.name), text(c.topic), c.created_by, c.created_at
    )


def member(c):
    return Member(c.user_id, text(c.username), Role(c.role), c.joined_at)


def message(c):
    return Message(
        c.id,
        c.channel_id,
        c.seq,
        c.sender_id,
        text(c.text),
        text(c.client_msg_id),
        c.created_at,
    )


def summary(c):
    return ChannelSummary(
        channel(c.channel),
        Role(c.my_role),
        c.last_seq,
        c.last_read_seq,
        c.unread,
        user(c.peer.contents) if c.peer else None,
        message(c.last_message.contents) if c.last_message else None,
    )


def items(pointer, count, convert):
    return [convert(pointer[i]) for i in range(count)]


def history(c):
    return HistoryPage(items(c.items, c.count, message), bool(c.has_more))


def sync(c):
    return SyncResult(
        [
            ChannelSync(s.channel_id, items(s.messages, s.count, message), bool(s.has_more))
            for s in (c.channels[i] for i in range(c.count))
        ],
        bool(c.has_more),
    )


def event(c):
    return Event(
        # A kind newer than this package stays a plain int rather than failing the poll.
        kind=EventKind(c.kind) if c.kind in EventKind._value2member_map_ else c.kind,
        channel_id=c.channel_id,
        actor_id=c.actor_id,
        json=c.json[: c.json_size].decode("utf-8") if c.json else "",
        message=message(c.message.contents) if c.message else None,
        channel=channel(c.channel.contents) if c.channel else None,
        member=member(c.member.contents) if c.member else None,
        read_seq=c.read_seq,
        online=bool(c.online),
        user=user(c.user.contents) if c.user else None,
    )

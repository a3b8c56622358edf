"""The exception raised by every failing call, with one subclass per error code."""

from ._types import ErrorCode


class ChatError(Exception):
    """A failed engine call: `code` (an ErrorCode) and the engine's `message`."""

    def __init__(self, code, message):
        self.code = ErrorCode(code)
        self.message = message
        super().__init__(f"{self.code.name.lower()}: {message}")


class InvalidArgument(ChatError):
    """Input breaks a documented rule (length, charset, UTF-8, range)."""


class NotFound(ChatError):
    """The user, channel or session does not exist."""


class Forbidden(ChatError):
    """The caller lacks the right (not a member, not an admin)."""


class Conflict(ChatError):
    """Collides with current state (name taken, already a member, last owner)."""


class Unauthenticated(ChatError):
    """Wrong password; unknown, expired or revoked session."""


class Unavailable(ChatError):
    """The database cannot be reached (or the engine was closed); safe to retry later."""


class InternalError(ChatError):
    """A bug or an unexpected failure."""


class RateLimited(ChatError):
    """Too many failed logins for this account: wait (the message says how long)."""


_BY_CODE = {
    ErrorCode.INVALID_ARGUMENT: InvalidArgument,
    ErrorCode.NOT_FOUND: NotFound,
    ErrorCode.FORBIDDEN: Forbidden,
    ErrorCode.CONFLICT: Conflict,
    ErrorCode.UNAUTHENTICATED: Unauthenticated,
    ErrorCode.UNAVAILABLE: Unavailable,
    ErrorCode.INTERNAL: InternalError,
    ErrorCode.RATE_LIMITED: RateLimited,
}


def error_for(code, message):
    """The exception for a code: its subclass, or ChatError for a code this version lacks."""
    try:
        code = ErrorCode(code)
    except ValueError:
        return ChatError(ErrorCode.INTERNAL, f"unknown error code {code}: {message}")
    return _BY_CODE.get(code, ChatError)(code, message)

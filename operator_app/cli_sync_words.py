"""The command line's English for a failed sync: the sync engine words its errors for the desk (Chinese), the
command line says the same from the error's stable code, or its kind when it has no code."""

from __future__ import annotations

from operator_app.errors import SyncError, SyncErrorKind

# The server's and the sync engine's stable codes that reach an operator in Chinese at the desk.
CODE_TEXTS = {
    "invalid_credentials": "wrong work number or password",
    "seat_auth": "this seat is not registered with the central server, or its credential was reset: log in again",
    "seat_taken": "another computer holds this seat code: an administrator must reset the seat on the central "
                  "server, or use another seat code",
    "too_many_attempts": "too many failed logins: wait a minute, then try again",
    "token_expired": "the login has expired: log in again",
    "token_invalid": "the login is no longer valid: log in again",
}

KIND_TEXTS = {
    SyncErrorKind.AUTH: "not logged in, or the login has expired: log in again",
    SyncErrorKind.NETWORK: "cannot reach the central server",
    SyncErrorKind.REJECTED: "the central server refused the request",
    SyncErrorKind.RESET: "the central server's data was reset: this seat must start over from it",
}


def sync_english(exc: SyncError) -> str:
    """The error's own text when it is already plain English (it may carry a detail), else English by code/kind."""
    message = str(exc)
    if message.isascii():
        return message
    return CODE_TEXTS.get(exc.code) or KIND_TEXTS.get(exc.kind, "the central server refused the request")

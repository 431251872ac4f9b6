"""One error root for the whole core; the UI shows every kind through one path."""

from __future__ import annotations

import enum

from contract.errors import ConfigError, ContractError, ValidationError, ValidationErrors

# The seat's error root is the contract's: the form's validation and the city loader live there (shared with the
# server) and raise ValidationErrors / ConfigError, which the seat catches as OperatorAppError like its own errors.
OperatorAppError = ContractError

__all__ = ["AuthError", "ConfigError", "OperatorAppError", "StoreError", "SyncError", "SyncErrorKind",
           "ValidationError", "ValidationErrors"]


class StoreError(OperatorAppError):
    """The local store cannot be opened or written (disk full, locked, newer schema)."""


class AuthError(OperatorAppError):
    """Login refused: unknown operator id or a name that does not match the roster."""


class SyncErrorKind(enum.Enum):
    AUTH = "auth"
    NETWORK = "network"
    REJECTED = "rejected"
    RESET = "reset"


class SyncError(OperatorAppError):
    """Talking to the central server failed; `kind` says how the caller should react."""

    def __init__(self, kind: SyncErrorKind, message: str, *, code: str = "") -> None:
        self.kind = kind
        self.code = code  # the server's stable error code, when it sent one
        super().__init__(message)


class StoreDamaged(StoreError):
    """The store fails its check (`kind`: not_a_database, corrupt, no_schema, no_seat, other_seat): nothing is
    written into it until a backup is restored (`operator-app store restore`). `problem` is in plain words."""

    def __init__(self, path: str, problem: str, *, kind: str) -> None:
        self.path = path
        self.problem = problem
        self.kind = kind
        super().__init__(f"the local store {path} is damaged: {problem}")


class StoreMissing(StoreError):
    """The store file is gone or empty, but this seat existed (its identity or backups say so): it is never
    replaced silently. `seat_id`/`seat_code` come from the identity kept outside the store (None if unknown)."""

    def __init__(self, path: str, *, empty: bool, seat_id: str | None, seat_code: str | None) -> None:
        self.path = path
        self.empty = empty
        self.seat_id = seat_id
        self.seat_code = seat_code
        what = "is empty (0 bytes or no tables)" if empty else "is missing"
        seat = f" of seat {seat_code} ({seat_id})" if seat_id else ""
        super().__init__(f"the local store {path}{seat} {what}")

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

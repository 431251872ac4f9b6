"""The server's one error root: a stable machine code, plain words, and the HTTP status the API maps it to."""

from __future__ import annotations


class ServerError(Exception):
    """Raised on purpose by services; the API turns it into {"error": code, "message": message}."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class AuthFailed(ServerError):
    status = 401
    code = "not_authenticated"


class Forbidden(ServerError):
    status = 403
    code = "forbidden"


class NotFound(ServerError):
    status = 404
    code = "not_found"


class Conflict(ServerError):
    status = 409
    code = "conflict"


class Invalid(ServerError):
    status = 422
    code = "invalid_request"


class PayloadTooLarge(ServerError):
    status = 413
    code = "body_too_large"

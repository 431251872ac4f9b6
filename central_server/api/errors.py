"""Every error leaves as {"error": code, "message": plain words}; FastAPI's `detail` shape never does."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from central_server.core.errors import ServerError
from contract.protocol import PROTOCOL_VERSION, ErrorBody

log = logging.getLogger(__name__)
PUSH_PATH = "/api/v1/sync/push"

HTTP_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large", 415: "unsupported_media_type",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "The request was refused; `error` is a stable code."},
}


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(status_code=status, content={"error": code, "message": message}, headers=extra or None)


def _server_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServerError)
    return error_response(exc.status, exc.code, exc.message)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, exc.headers)  # e.g. the router's Allow on a 405


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    body = getattr(exc, "body", None)
    if request.url.path == PUSH_PATH and isinstance(body, dict) and "protocol_version" in body:
        version = body["protocol_version"]
        if isinstance(version, int) and not isinstance(version, bool) and version != PROTOCOL_VERSION:
            return error_response(
                409, "protocol_version",
                f"this seat speaks sync protocol version {version!r} but the server speaks version "
                f"{PROTOCOL_VERSION}; update the seat application (or the server) so both use the same version",
            )
    return error_response(422, "invalid_request", describe(errors))


def describe(errors: list[Any], *, limit: int = 3) -> str:
    """'body.seat_code: String should match pattern ...' for the first problems; never echoes input values."""
    parts = []
    for err in errors[:limit]:
        loc = [str(p) for p in err.get("loc", ())]
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{'.'.join(loc) or 'request'}: {msg}")
    more = len(errors) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "") if parts else "invalid request"


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away (restarted, unreachable, locked too long). Pooled connections are not pinged
    before use (a round trip on every request), so the first request on a connection a restart cut lands here;
    SQLAlchemy then drops the pool and the client's retry gets a fresh connection."""
    orig = getattr(exc, "orig", None)
    log.warning("database unavailable on %s %s (%s)", request.method, request.url.path,
                type(orig or exc).__name__)
    return error_response(503, "database_unavailable",
                          "the server cannot reach its database right now; try again in a few seconds")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, "internal_error", "the server failed to handle this request; try again later")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServerError, _server_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)

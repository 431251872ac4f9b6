"""HTTP calls to the central server (requests). Maps every failure to SyncError with a kind the caller acts on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import ValidationError as PydanticError

from contract.protocol import PullResponse, PushRequest, PushResponse
from operator_app.errors import SyncError, SyncErrorKind

TIMEOUT = (3.05, 20)  # connect, read seconds


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user: dict[str, Any]
    seat_signed_in: bool | None = None  # logged in with the seat's credential: whether that signed them in there


@dataclass(frozen=True)
class SeatAuth:
    seat_id: str
    credential: str


def encode_push(request: PushRequest) -> bytes:
    return request.model_dump_json().encode("utf-8")  # pydantic writes UTF-8 as is


@dataclass(frozen=True)
class RoutingModelInfo:
    version: str
    files: dict[str, str]  # file name -> sha256


class ServerClient:
    """One per seat; the requests.Session keeps connections alive. Blocks: call from a worker thread."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()

    def _call(self, method: str, path: str, *, token: str | None = None, seat: SeatAuth | None = None,
              json_body: Any = None, raw_json: bytes | None = None, params: dict[str, Any] | None = None,
              raw_answer: bool = False) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if seat:
            headers["X-Seat-Id"] = seat.seat_id
            headers["X-Seat-Credential"] = seat.credential
        try:
            # UTF-8 as is: escaped Chinese (\uXXXX, 6 bytes a character) made a full batch near the body limit.
            body = raw_json if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            resp = self.http.request(method, self.base_url + path, data=body, params=params,
                                     headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise SyncError(SyncErrorKind.NETWORK, f"cannot reach the central server: {type(exc).__name__}") from exc
        if resp.status_code == 401:
            raise SyncError(SyncErrorKind.AUTH, _message(resp, "login expired or refused"), code=_code(resp))
        if resp.status_code == 429 and _code(resp) == "too_many_attempts":
            wait = resp.headers.get("Retry-After", "")
            raise SyncError(SyncErrorKind.REJECTED, f"登录失败次数过多，请 {wait or '稍等几'} 秒后再试",
                            code="too_many_attempts")
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise SyncError(SyncErrorKind.NETWORK, f"central server error {resp.status_code}")
        if resp.status_code >= 400:
            raise SyncError(SyncErrorKind.REJECTED, _message(resp, f"refused ({resp.status_code})"),
                            code=_code(resp))
        if raw_answer:
            return resp.content
        try:
            return resp.json()
        except ValueError as exc:  # truncated or garbled body: the request may or may not have applied
            raise SyncError(SyncErrorKind.NETWORK, "incomplete answer from the central server") from exc

    def call_json(self, method: str, path: str, *, token: str, json_body: Any = None,
                  params: dict[str, Any] | None = None) -> Any:
        """Any other API call made with a person's token (the team lead's workbench, quality, KPIs): the parsed
        JSON answer, or a SyncError as for sync calls."""
        return self._call(method, path, token=token, json_body=json_body, params=params)

    def login(self, username: str, password: str, *, seat: SeatAuth | None = None) -> Tokens:
        """With `seat`, the operator is also signed in at that seat when its credential is valid."""
        data = self._call("POST", "/api/v1/auth/login", seat=seat,
                          json_body={"username": username, "password": password})
        return _tokens(data)

    def refresh(self, refresh_token: str) -> Tokens:
        return _tokens(self._call("POST", "/api/v1/auth/refresh", json_body={"refresh_token": refresh_token}))

    def logout(self, refresh_token: str) -> None:
        """Revoke the refresh token on the server."""
        self._call("POST", "/api/v1/auth/logout", json_body={"refresh_token": refresh_token}, raw_answer=True)

    def register_seat(self, token: str, *, seat_id: str, seat_code: str, credential: str | None = None,
                      asked_before: bool = False) -> str:
        """The seat's credential (the registering operator is signed in at it): `credential`, chosen and kept by
        the seat before it asks, when given. `asked_before`: an earlier request with that credential may have been
        made on the server (its answer was lost), so it is sent as the seat's current credential too. A seat
        registered before is otherwise refused (REJECTED, code `seat_taken`) unless an administrator reset it."""
        body: dict[str, str] = {"seat_id": seat_id, "seat_code": seat_code}
        if credential is not None:
            body["credential"] = credential
        seat = SeatAuth(seat_id, credential) if credential is not None and asked_before else None
        data = self._call("POST", "/api/v1/seats/register", token=token, seat=seat, json_body=body)
        try:
            return str(data["seat_credential"])
        except (KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.NETWORK, "incomplete registration answer from the central server") from exc

    def seat_sign_in(self, token: str, seat: SeatAuth) -> None:
        """Tell the server the operator behind `token` is at this seat (its pushes may then name them)."""
        self._call("POST", "/api/v1/seats/sign-in", token=token, seat=seat)

    def push(self, token: str, seat: SeatAuth, request: PushRequest) -> PushResponse:
        return self.push_body(token, seat, encode_push(request))

    def push_body(self, token: str, seat: SeatAuth, body: bytes) -> PushResponse:
        """Push a batch already serialised by `encode_push(request)`."""
        return _parse(PushResponse, self._call("POST", "/api/v1/sync/push", token=token, seat=seat, raw_json=body))

    def pull(self, token: str, seat: SeatAuth, *, cursor: int, limit: int = 500, skip_own: bool = False
             ) -> PullResponse:
        """`skip_own`: leave out the created events this seat made itself (it holds them already)."""
        params: dict[str, object] = {"cursor": cursor, "limit": limit}
        if skip_own:
            params["skip_own"] = "true"
        data = self._call("GET", "/api/v1/sync/pull", token=token, seat=seat, params=params)
        return _parse(PullResponse, data)

    def report_backlog(self, token: str, seat: SeatAuth, operators: list[dict[str, Any]]) -> None:
        """What this seat has not pushed yet, per operator ({operator_id, pending, oldest_pending_at}); an empty
        list clears the seat's report on the server."""
        self._call("POST", "/api/v1/seats/backlog", token=token, seat=seat, json_body={"operators": operators},
                   raw_answer=True)

    def routing_model(self, token: str, seat: SeatAuth) -> RoutingModelInfo:
        """The server's current routing model (SyncError REJECTED, code `no_routing_model`, when none)."""
        data = self._call("GET", "/api/v1/routing/model", token=token, seat=seat)
        try:
            files = {str(k): str(v) for k, v in dict(data["files"]).items()}
            return RoutingModelInfo(str(data["version"]), files)
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(SyncErrorKind.NETWORK, "incomplete routing-model answer from the central server") from exc

    def routing_file(self, token: str, seat: SeatAuth, *, version: str, name: str) -> bytes:
        data = self._call("GET", f"/api/v1/routing/model/{version}/{name}", token=token, seat=seat,
                          raw_answer=True)
        return bytes(data)


def _message(resp: requests.Response, default: str) -> str:
    try:
        body = resp.json()
        return str(body.get("message") or body.get("error") or default)
    except (ValueError, AttributeError):
        return default


def _code(resp: requests.Response) -> str:
    try:
        return str(resp.json().get("error") or "")
    except (ValueError, AttributeError):
        return ""


def _tokens(data: Any) -> Tokens:
    try:
        signed = data.get("seat_signed_in")
        return Tokens(str(data["access_token"]), str(data["refresh_token"]), int(data.get("expires_in", 0)),
                      dict(data.get("user", {})), signed if isinstance(signed, bool) else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError(SyncErrorKind.NETWORK, "incomplete login answer from the central server") from exc


def _parse(model: Any, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise SyncError(SyncErrorKind.NETWORK, "unexpected answer from the central server") from exc

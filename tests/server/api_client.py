"""A tiny test client for the live server: login, seat registration, push/pull and case.created mutations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy import func, select

from central_server.db.engine import make_engine
from central_server.db.models import Base

PASSWORD = "test-pass-1234"
PREFIX = "/api/v1"


def assert_error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response has `status` and the {"error", "message"} body (and `code`, when given)."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    body = resp.json()
    assert set(body) == {"error", "message"}, body
    assert body["message"]
    if code is not None:
        assert body["error"] == code, body
    return body


def count_rows(database_url: str, table: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one())
    finally:
        engine.dispose()


@dataclass
class Api:
    url: str
    http: requests.Session = field(default_factory=requests.Session)

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.http.post(self.url + PREFIX + path, json=json, timeout=30, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url + PREFIX + path, timeout=30, **kw)

    def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        resp = self.post("/auth/login", {"username": username, "password": password})
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def token(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(username)['access_token']}"}


def case_fields(*, disposition: str = "dispatch", lead: str = "zjj", **changes: Any) -> dict[str, Any]:
    """Every field of a case, in the normalised form the seat's validation gives (contract.case_fields)."""
    dispatched = disposition == "dispatch"
    fields: dict[str, Any] = {
        "caller_name": "张三", "phone": "13800000000", "callback_phone": "", "confidential": False,
        "special_needs": [], "special_needs_other": "", "channel": "phone", "appeal_type": "help",
        "category": "城乡建设/物业管理/物业服务质量", "district": "donghu", "street": "", "address": "",
        "content": "楼道灯坏了", "request": "", "urgency": "normal", "urgency_reason": "",
        "disposition": disposition, "answer": "" if dispatched else "已告知物业报修电话",
        "lead_department": lead if dispatched else "", "cooperating_departments": [],
    }
    return {**fields, **changes}


@dataclass
class SeatClient:
    """One registered seat with the operator currently logged in at it."""

    api: Api
    seat_id: str
    seat_code: str
    credential: str
    auth: dict[str, str]
    next_number: int = 1

    @classmethod
    def register(cls, api: Api, *, operator: str = "1001", seat_code: str = "S001") -> SeatClient:
        auth = api.token(operator)
        seat_id = str(uuid.uuid4())
        resp = api.post("/seats/register", {"seat_id": seat_id, "seat_code": seat_code}, headers=auth)
        assert resp.status_code == 201, resp.text
        return cls(api, seat_id, seat_code, resp.json()["seat_credential"], auth)

    def sign_in(self, operator: str) -> dict[str, str]:
        """`operator` logs in at this seat (the seat's pushes may then name them) and becomes the one at it."""
        self.auth = self.api.token(operator)
        resp = self.api.post("/seats/sign-in", headers=self.headers())
        assert resp.status_code == 200, resp.text
        return self.auth

    def headers(self) -> dict[str, str]:
        return {**self.auth, "X-Seat-Id": self.seat_id, "X-Seat-Credential": self.credential}

    def case_created(self, seq: int, *, operator: str = "1001", number: int | None = None,
                     disposition: str = "dispatch", lead: str = "zjj") -> dict[str, Any]:
        """A mutation shaped like operator_app/services/intake.py makes it."""
        if number is None:
            number, self.next_number = self.next_number, self.next_number + 1
        case_id = str(uuid.uuid4())
        fields = case_fields(disposition=disposition, lead=lead)
        dispatched = disposition == "dispatch"  # a case closed at once has no deadlines
        deadlines = {"respond_by": "2026-03-01T09:00:00+00:00" if dispatched else "",
                     "finish_by": "2026-03-02T08:00:00+00:00" if dispatched else ""}
        recorded = "2026-03-01T08:00:00.000+00:00"
        return {
            "seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.created", "operator_id": operator,
            "entity_id": case_id, "created_at": recorded,
            "args": {"case_id": case_id, "seat_code": self.seat_code, "event": {
                "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "recorded_at": recorded,
                "payload": {"number": f"{self.seat_code}-20260301-{number:04d}", "fields": fields,
                            **deadlines},
            }},
        }

    def push(self, mutations: list[dict[str, Any]], *, version: int = 1, seat_id: str | None = None
             ) -> requests.Response:
        body = {"protocol_version": version, "seat_id": seat_id or self.seat_id, "mutations": mutations}
        return self.api.post("/sync/push", body, headers=self.headers())

    def pull(self, cursor: int = 0, limit: int | None = None, *, skip_own: bool = False) -> requests.Response:
        params: dict[str, object] = {"cursor": cursor} | ({"limit": limit} if limit else {})
        if skip_own:
            params["skip_own"] = "true"
        return self.api.get("/sync/pull", params=params, headers=self.headers())

    def pull_all(self, cursor: int = 0, limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
        changes: list[dict[str, Any]] = []
        while True:
            page = self.pull(cursor, limit).json()
            changes += page["changes"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return changes, cursor

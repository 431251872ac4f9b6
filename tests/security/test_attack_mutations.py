"""An attacker with a valid operator login and seat credential pushes malformed, oversized and forged mutations
to a real server over loopback (issue 14, finding 4). Every one is refused — a 4xx with {error, message}, or a
`rejected` result with a stable code and a Chinese reason — nothing is stored, nothing is served by pull, and the
server never answers 5xx. On SQLite and on the PostgreSQL the tests start.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from central_server.core.config import Settings
from central_server.db.engine import make_engine, session_factory
from central_server.embedded import EmbeddedServer, start_in_thread
from central_server.services.demo import DEMO_PASSWORD
from central_server.services.users import create_user
from tests.server.api_client import case_fields, count_rows
from tests.server.conftest import pg_cluster  # noqa: F401 - the throwaway PostgreSQL cluster fixture
from tests.server.pg_cluster import PgCluster

REJECTION_CODES = {"invalid_args", "invalid_field", "not_this_seat", "conflict", "unknown_mutation",
                   "operator_not_allowed", "mutation_reused"}
CJK = re.compile(r"[\u4e00-\u9fff]")
_numbers = itertools.count(1)


class Target:
    """The server under attack, its database, and one seat the attacker registered with a stolen login."""

    def __init__(self, srv: EmbeddedServer, db_url: str) -> None:
        self.srv, self.db_url = srv, db_url
        self.api = f"{srv.url}/api/v1"
        self.http = requests.Session()
        self.token = self.login("1001")
        self.seat_id = str(uuid.uuid4())
        resp = self.http.post(f"{self.api}/seats/register", json={"seat_id": self.seat_id, "seat_code": "S009"},
                              headers=self.bearer(), timeout=30)
        assert resp.status_code == 201, resp.text
        self.credential = resp.json()["seat_credential"]
        self.seq = 0

    def login(self, username: str) -> str:
        resp = self.http.post(f"{self.api}/auth/login", json={"username": username, "password": DEMO_PASSWORD},
                              timeout=30)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def seat_headers(self) -> dict[str, str]:
        return {**self.bearer(), "X-Seat-Id": self.seat_id, "X-Seat-Credential": self.credential}

    def created(self, *, operator: str = "1001") -> dict[str, Any]:
        """A well-formed case.created for the next seq, as a seat makes it."""
        self.seq += 1
        case_id = str(uuid.uuid4())
        recorded = "2026-03-01T08:00:00.000+00:00"
        return {
            "seq": self.seq, "mutation_id": str(uuid.uuid4()), "name": "case.created", "operator_id": operator,
            "entity_id": case_id, "created_at": recorded,
            "args": {"case_id": case_id, "seat_code": "S009", "event": {
                "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "recorded_at": recorded,
                "payload": {"number": f"S009-20260301-{self.seq:04d}", "fields": case_fields(),
                            "respond_by": "2026-03-01T09:00:00+00:00", "finish_by": "2026-03-02T08:00:00+00:00"},
            }},
        }

    def push_raw(self, body: bytes | str, **headers: str) -> requests.Response:
        return self.http.post(f"{self.api}/sync/push", data=body, timeout=60,
                              headers={**self.seat_headers(), "Content-Type": "application/json", **headers})

    def push(self, mutations: list[dict[str, Any]]) -> requests.Response:
        body = {"protocol_version": 1, "seat_id": self.seat_id, "mutations": mutations}
        return self.push_raw(json.dumps(body))

    def pulled_case_events(self) -> list[dict[str, Any]]:
        resp = self.http.get(f"{self.api}/sync/pull", params={"cursor": 0}, headers=self.seat_headers(), timeout=30)
        assert resp.status_code == 200, resp.text
        return [c for c in resp.json()["changes"] if c["entity"] == "case_event"]


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'central.sqlite'}", None
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        name = f"attack_{next(_numbers)}"
        drop = cluster.url("postgres").replace("+psycopg", "")
        with psycopg.connect(drop, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    srv = start_in_thread(url, settings=Settings(access_log=False))  # migrated, demo city seeded
    try:
        yield Target(srv, url)
    finally:
        srv.stop()
        if drop is not None:
            with psycopg.connect(drop, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def _fields(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def poison(m: dict[str, Any]) -> None:
        m["args"]["event"]["payload"]["fields"].update(changes)
    return poison


def _drop_field(name: str) -> Callable[[dict[str, Any]], None]:
    def poison(m: dict[str, Any]) -> None:
        del m["args"]["event"]["payload"]["fields"][name]
    return poison


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def poison(m: dict[str, Any]) -> None:
        node = m
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return poison


def _nested(depth: int) -> Any:
    value: Any = "底"
    for _ in range(depth):
        value = {"x": value}
    return value


# Malformed mutations that still fit in a request: each must come back `rejected` with one of REJECTION_CODES.
POISONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "nul_in_content": _fields(content="楼道灯\x00坏了"),
    "nul_in_name": _fields(caller_name="张\x00三"),
    "content_1_5_mb": _fields(content="楼道灯坏了" + "a" * 1_500_000),  # fits the body limit
    "emoji": _fields(content="楼道灯坏了🔥"),
    "lone_surrogate_escape": _fields(content="\ud800"),
    "bidi_override": _fields(caller_name="张\u202e三"),
    "phone_as_object": _fields(phone={"number": "13800000000", "$where": "1"}),
    "phone_as_number": _fields(phone=13800000000),
    "confidential_as_text": _fields(confidential="false"),
    "special_needs_as_text": _fields(special_needs="elderly"),
    "unknown_lead_department": _fields(lead_department="../../etc/passwd"),
    "sql_in_category": _fields(category="城乡建设'; DROP TABLE cases; --"),
    "unknown_channel": _fields(channel="telepathy"),
    "missing_urgency": _drop_field("urgency"),
    "missing_content": _drop_field("content"),
    "extra_field": _fields(is_admin=True),
    "fields_as_list": _set(("args", "event", "payload", "fields"), ["content"]),
    "fields_deeply_nested": _fields(request=_nested(60)),
    "other_seats_number": _set(("args", "event", "payload", "number"), "S001-20260301-0001"),
    "other_seat_code": _set(("args", "seat_code"), "S001"),
    "kind_signed": _set(("args", "event", "kind"), "signed"),
    "event_seq_2": _set(("args", "event", "seq"), 2),
    "recorded_at_garbage": _set(("args", "event", "recorded_at"), "yesterday"),
    "deadline_garbage": _set(("args", "event", "payload", "finish_by"), "never"),
    "extras_too_large": _set(("args", "event", "payload", "routing"), {"junk": "x" * 100_000}),
    "entity_id_mismatch": _set(("entity_id",), str(uuid.uuid4())),
    "unknown_mutation_name": _set(("name",), "case.deleted"),
    "author_admin": _set(("operator_id",), "admin"),
    "author_trainer": _set(("operator_id",), "3001"),
    "author_editor": _set(("operator_id",), "5001"),
    "author_unknown": _set(("operator_id",), "9999"),
}


def test_malformed_mutations_are_rejected_with_a_stable_code(target: Target) -> None:
    engine = make_engine(target.db_url)
    with session_factory(engine)() as session:
        create_user(session, username="5001", name="编辑", role="editor", password=DEMO_PASSWORD)
    engine.dispose()
    for name, poison in POISONS.items():
        m = target.created()
        poison(m)
        resp = target.push([m])
        assert resp.status_code == 200, (name, resp.status_code, resp.text[:300])
        (result,) = resp.json()["results"]
        assert result["status"] == "rejected", (name, result)
        assert result["code"] in REJECTION_CODES, (name, result)
        assert CJK.search(result["error"] or ""), (name, result)
    assert count_rows(target.db_url, "cases") == 0
    assert count_rows(target.db_url, "case_events") == 0
    assert target.pulled_case_events() == []
    # The queue was never blocked: the next honest case goes through and is the only one served.
    good = target.created()
    assert target.push([good]).json()["results"][0]["status"] == "applied"
    assert [c["data"]["number"] for c in target.pulled_case_events()] == [f"S009-20260301-{target.seq:04d}"]


def test_requests_that_break_the_envelope_get_a_4xx_and_no_5xx(target: Target) -> None:
    good = target.created()
    body = {"protocol_version": 1, "seat_id": target.seat_id, "mutations": [good]}
    attacks: dict[str, bytes | str] = {
        "not_json": b"{\"protocol_version\": 1, \"mutations\": [",
        "nul_bytes": b"\x00" * 64,
        "bad_utf8": b"{\"protocol_version\": 1, \"seat_id\": \"\xff\xfe\"}",
        "deeply_nested_json": "[" * 100_000 + "]" * 100_000,
        "body_over_the_limit": json.dumps({**body, "pad": "x" * 3_000_000}),
        "mutation_without_args": json.dumps({**body, "mutations": [{k: v for k, v in good.items() if k != "args"}]}),
        "seq_zero": json.dumps({**body, "mutations": [{**good, "seq": 0}]}),
        "operator_id_too_long": json.dumps({**body, "mutations": [{**good, "operator_id": "1" * 17}]}),
        "mutation_id_not_uuid": json.dumps({**body, "mutations": [{**good, "mutation_id": "x" * 36 + "y"}]}),
        "mutations_not_a_list": json.dumps({**body, "mutations": {"0": good}}),
        "too_many_mutations": json.dumps({**body, "mutations": [good] * 501}),
        "other_seat_id": json.dumps({**body, "seat_id": str(uuid.uuid4())}),
        "protocol_99": json.dumps({**body, "protocol_version": 99}),
    }
    for name, raw in attacks.items():
        resp = target.push_raw(raw)
        assert 400 <= resp.status_code < 500, (name, resp.status_code, resp.text[:300])
        payload = resp.json()
        assert set(payload) == {"error", "message"} and payload["error"], (name, payload)
    forged = {**target.seat_headers(), "X-Seat-Credential": "stolen" * 8}
    resp = requests.post(f"{target.api}/sync/push", data=json.dumps(body), timeout=30,
                         headers={**forged, "Content-Type": "application/json"})
    assert resp.status_code == 401 and resp.json()["error"], resp.text
    assert count_rows(target.db_url, "cases") == 0
    assert target.pulled_case_events() == []


def test_a_rejected_poison_is_answered_the_same_when_resent(target: Target) -> None:
    m = target.created()
    m["args"]["event"]["payload"]["fields"]["content"] = "\x00"
    first = target.push([m]).json()["results"][0]
    again = target.push([copy.deepcopy(m)]).json()["results"][0]
    assert first == again and first["code"] == "invalid_field"
    assert count_rows(target.db_url, "cases") == 0

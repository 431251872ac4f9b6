"""The screen pop's caller history (POST /api/v1/callers/history): cases from every seat matched by the
normalised phone, open first then newest first, the limit, other phones left out, who may ask, and the phone
never in the server's log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.services.caller_history import HISTORY_LIMIT
from tests.server.api_client import Api, assert_error
from tests.server.conftest import ServerFactory
from tests.server.lead_builder import CaseBuilder

FACTS = load_city_facts(resources_dir(Settings()))
PHONE = "13900001234"
H = timedelta(hours=1)


def build(database_url: str, add: Any) -> dict[str, str]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            b = CaseBuilder(session, FACTS.city)
            numbers = add(b)
            b.commit()
            return dict(numbers)
    finally:
        engine.dispose()


def test_history_from_two_seats_open_first(server_factory: ServerFactory, database_url: str,
                                           capfd: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def add(b: CaseBuilder) -> dict[str, str]:
        return {
            "old_closed": b.add(operator="1001", seat_code="S001", accepted=now - 50 * H, disposition="direct",
                                phone=PHONE),
            "open_s2": b.add(operator="1002", seat_code="S002", accepted=now - 30 * H, phone=PHONE,
                             special_needs=["elderly"]),
            "new_closed": b.add(operator="1002", seat_code="S002", accepted=now - 2 * H, disposition="direct",
                                phone=PHONE),
            "open_s1": b.add(operator="1001", seat_code="S001", accepted=now - 10 * H, phone=PHONE),
            "other": b.add(operator="1001", seat_code="S001", accepted=now - H, phone="13900009999"),
        }

    n = build(database_url, add)
    api = Api(server_factory(access_log=True).url)
    resp = api.post("/callers/history", {"phone": PHONE}, headers=api.token("1001"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [c["number"] for c in body["cases"]] == [n["open_s1"], n["open_s2"], n["new_closed"], n["old_closed"]]
    assert body["open_count"] == 2 and body["truncated"] is False
    first_open = body["cases"][1]
    assert first_open["status"] == "dispatched" and first_open["finish_by"] and first_open["respond_by"]
    assert first_open["special_needs"] == ["elderly"] and first_open["last_events"] == ["created"]
    assert body["cases"][0]["category"]
    assert body["cases"][2]["status"] == "closed" and body["cases"][2]["finish_by"] == ""
    # The access log shows the request, never the number.
    logged = "".join(capfd.readouterr())
    assert "/callers/history" in logged
    assert PHONE not in logged and "0000-1234" not in logged


def test_history_limit_and_unknown_phone(server_factory: ServerFactory, database_url: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def add(b: CaseBuilder) -> dict[str, str]:
        out = {f"c{i}": b.add(operator="1001", seat_code="S001", accepted=now - (i + 1) * H, disposition="direct",
                              phone=PHONE) for i in range(HISTORY_LIMIT + 3)}
        out["open_oldest"] = b.add(operator="1002", seat_code="S002", accepted=now - 200 * H, phone=PHONE)
        return out

    n = build(database_url, add)
    api = Api(server_factory().url)
    body = api.post("/callers/history", {"phone": PHONE}, headers=api.token("2001")).json()
    assert len(body["cases"]) == HISTORY_LIMIT and body["truncated"] is True
    assert body["cases"][0]["number"] == n["open_oldest"]  # open before closed, however old
    assert [c["number"] for c in body["cases"][1:4]] == [n["c0"], n["c1"], n["c2"]]
    nobody = api.post("/callers/history", {"phone": "13700000000"}, headers=api.token("1001")).json()
    assert nobody == {"cases": [], "open_count": 0, "truncated": False}


def test_history_permissions_and_bad_phone(server: Any) -> None:
    api = Api(server.url)
    assert_error(api.post("/callers/history", {"phone": PHONE}), 401)
    for who in ("3001", "admin"):
        assert_error(api.post("/callers/history", {"phone": PHONE}, headers=api.token(who)), 403, "forbidden")
    operator = api.token("1001")
    for bad in ("12345", "abc", "1390000123", "139-0000-1234", "", "0731 84561234"):
        body = assert_error(api.post("/callers/history", {"phone": bad}, headers=operator), 422)
        assert not bad or bad not in body["message"]
    assert_error(api.post("/callers/history", {"phone": PHONE, "x": 1}, headers=operator), 422)


def test_created_event_takes_a_call_id_of_the_right_shape() -> None:
    from central_server.services.case_args import ArgsProblem, parse_created
    from tests.server.api_client import case_fields

    def args(**extra: Any) -> dict[str, Any]:
        return {"case_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "seat_code": "S001", "event": {
            "id": "1" * 8 + "-1111-4111-8111-" + "1" * 12, "seq": 1, "kind": "created",
            "recorded_at": "2026-03-01T08:00:00.000+00:00",
            "payload": {"number": "S001-20260301-0001", "fields": case_fields(disposition="direct"), **extra}}}

    parsed, _ = parse_created(args(call_id="call-0001"), FACTS.city)
    assert parsed.event.payload.call_id == "call-0001"
    assert parse_created(args(), FACTS.city)[0].event.payload.call_id is None
    for bad in ("", "a b", "x" * 65, 17):
        with pytest.raises(ArgsProblem) as info:
            parse_created(args(call_id=bad), FACTS.city)
        assert info.value.where == "event.payload.call_id"


@pytest.mark.parametrize("typed", ["13900001234", "+86 139 0000 1234", "0731-84561234", "0731 8456123",
                                   "010-12345678", "02112345678", "0731-84561234转808", "0113 1234567"])
def test_the_schemas_phone_is_what_normalize_phone_writes(typed: str) -> None:
    """Every number the desk can hold passes the schema's pattern, and numbers of that shape without an extension
    are fixed points of normalize_phone (so the pattern and the normalisation never disagree)."""
    import re

    from central_server.api.callers_schemas import CANONICAL_PHONE
    from contract.phone import normalize_phone

    canonical = normalize_phone(typed)
    assert re.match(CANONICAL_PHONE, canonical), canonical
    if "-" in canonical and canonical.count("-") == 1:
        assert normalize_phone(canonical) == canonical
    for shaped in ("010-1234567", "0731-0456123", "13900001234-1", "021-1234567"):
        assert not re.match(CANONICAL_PHONE, shaped)

"""A seat's correction of a case sent back ("case.event", kind "corrected") through an attacker's eye, and the
handling time a created case carries; on SQLite and PostgreSQL.

Every refusal is `rejected` with a stable code and a Chinese reason, and nothing is stored: the case keeps its
history, fields and status."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.services.case_history import append_event
from contract.enums import CaseStatus
from contract.events import RETURNED_FOR_CORRECTION
from tests.server.api_client import Api, SeatClient, case_fields
from tests.server.conftest import ServerFactory

CJK = re.compile(r"[\u4e00-\u9fff]")


def _history(database_url: str, number: str) -> tuple[str, dict[str, Any], list[str]]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == number)).one()
            kinds = list(session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                                         .order_by(CaseEvent.seq)))
            return case.status, dict(case.fields), kinds
    finally:
        engine.dispose()


def _send_back(database_url: str, number: str) -> None:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == number).with_for_update()).one()
            case.status = CaseStatus.CORRECTING.value
            append_event(session, case, kind=RETURNED_FOR_CORRECTION, payload={"reason": "分类不准"}, actor_id="2001")
            session.commit()
    finally:
        engine.dispose()


def correction(seat: SeatClient, seq: int, case_id: str, *, operator: str = "1001", kind: str = "corrected",
               event_id: str | None = None, **field_changes: Any) -> dict[str, Any]:
    """A mutation shaped like operator_app/services/corrections.correct_case makes it."""
    return {
        "seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.event", "operator_id": operator,
        "entity_id": case_id, "created_at": "2026-03-01T09:00:00.000+00:00",
        "args": {"case_id": case_id, "event": {
            "id": event_id or str(uuid.uuid4()), "seq": 3, "kind": kind, "recorded_at": "2026-03-01T09:00:00.000+00:00",
            "payload": {"fields": case_fields(**{"content": "楼道灯坏了，三楼", **field_changes})},
        }},
    }


@pytest.fixture
def returned(server_factory: ServerFactory, database_url: str) -> tuple[SeatClient, dict[str, Any]]:
    """Seat S001 with one case (S001-20260301-0001) sent back for correction."""
    seat = SeatClient.register(Api(server_factory().url))
    created = seat.case_created(1)
    assert seat.push([created]).json()["results"][0]["status"] == "applied"
    _send_back(database_url, "S001-20260301-0001")
    return seat, created


def _one(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["results"]
    return dict(result)


def _refused(resp: Any, code: str, database_url: str) -> None:
    result = _one(resp)
    assert (result["status"], result["code"]) == ("rejected", code), result
    assert CJK.search(result["error"]), result
    status, fields, kinds = _history(database_url, "S001-20260301-0001")
    assert (status, fields["content"], kinds) == ("correcting", "楼道灯坏了", ["created", "returned_for_correction"])


def test_correction_applied_and_pulled(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    m = correction(seat, 2, created["entity_id"])
    assert _one(seat.push([m]))["status"] == "applied"
    status, fields, kinds = _history(database_url, "S001-20260301-0001")
    assert (status, fields["content"], kinds) == ("dispatched", "楼道灯坏了，三楼",
                                                  ["created", "returned_for_correction", "corrected"])
    changes, _ = seat.pull_all()
    assert [c["data"]["event"]["kind"] for c in changes] == ["created", "returned_for_correction", "corrected"]
    assert changes[-1]["id"] == m["args"]["event"]["id"] and changes[-1]["data"]["event"]["seq"] == 3
    # The same mutation again: a duplicate, not a second correction.
    again = _one(seat.push([{**m, "seq": 2}]))
    assert again["status"] == "duplicate"
    assert _history(database_url, "S001-20260301-0001")[2].count("corrected") == 1


def test_another_seats_case_is_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    other = SeatClient.register(seat.api, operator="1002", seat_code="S002")
    _refused(other.push([correction(other, 1, created["entity_id"], operator="1002")]), "case_not_found",
             database_url)


def test_unknown_case_is_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, _ = returned
    _refused(seat.push([correction(seat, 2, str(uuid.uuid4()))]), "case_not_found", database_url)


def test_case_not_sent_back_is_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    assert _one(seat.push([correction(seat, 2, created["entity_id"])]))["status"] == "applied"
    result = _one(seat.push([correction(seat, 3, created["entity_id"], content="再改一次")]))
    assert (result["status"], result["code"]) == ("rejected", "not_correcting")
    assert _history(database_url, "S001-20260301-0001")[1]["content"] == "楼道灯坏了，三楼"


def test_closed_case_is_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == "S001-20260301-0001")).one()
            case.status = CaseStatus.CLOSED.value
            session.commit()
    finally:
        engine.dispose()
    result = _one(seat.push([correction(seat, 2, created["entity_id"])]))
    assert (result["status"], result["code"]) == ("rejected", "not_correcting")
    assert _history(database_url, "S001-20260301-0001")[2] == ["created", "returned_for_correction"]


@pytest.mark.parametrize("bad", [{"phone": "138-0000-0000"}, {"content": "楼道灯\x00坏了"},
                                 {"lead_department": "no_such_dept"}, {"colour": "red"}])
def test_bad_fields_are_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str,
                                bad: dict[str, Any]) -> None:
    seat, created = returned
    _refused(seat.push([correction(seat, 2, created["entity_id"], **bad)]), "invalid_field", database_url)


def test_replayed_event_id_is_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    replay = correction(seat, 2, created["entity_id"], event_id=created["args"]["event"]["id"])
    _refused(seat.push([replay]), "conflict", database_url)


def test_other_kinds_and_shapes_are_refused(returned: tuple[SeatClient, dict[str, Any]], database_url: str) -> None:
    seat, created = returned
    case_id = created["entity_id"]
    _refused(seat.push([correction(seat, 2, case_id, kind="returned_for_correction")]), "unknown_event_kind",
             database_url)
    extra = correction(seat, 3, case_id)
    extra["args"]["event"]["payload"]["status"] = "closed"
    _refused(seat.push([extra]), "invalid_args", database_url)
    mismatched = correction(seat, 4, case_id)
    mismatched["entity_id"] = str(uuid.uuid4())
    _refused(seat.push([mismatched]), "invalid_args", database_url)


def test_author_must_take_calls_and_have_signed_in_here(returned: tuple[SeatClient, dict[str, Any]],
                                                       database_url: str) -> None:
    seat, created = returned
    _refused(seat.push([correction(seat, 2, created["entity_id"], operator="1002")]), "operator_not_signed_in",
             database_url)
    seat.sign_in("3001")  # a trainer signed in here still may not take calls
    _refused(seat.push([correction(seat, 3, created["entity_id"], operator="3001")]), "operator_not_allowed",
             database_url)


@pytest.mark.parametrize("value", [-1, 86_401, 10**12, 1.5, "60", True])
def test_handling_seconds_out_of_range_refused(server_factory: ServerFactory, database_url: str,
                                               value: object) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    m = seat.case_created(1)
    m["args"]["event"]["payload"]["handling_seconds"] = value
    result = _one(seat.push([m]))
    assert (result["status"], result["code"]) == ("rejected", "invalid_args"), result
    assert "handling_seconds" in result["error"]


def test_handling_seconds_kept(server_factory: ServerFactory, database_url: str) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    m = seat.case_created(1)
    m["args"]["event"]["payload"]["handling_seconds"] = 86_400
    resp = seat.push([m, seat.case_created(2)])
    assert [r["status"] for r in resp.json()["results"]] == ["applied", "applied"]
    changes, _ = seat.pull_all()
    assert [c["data"]["event"]["payload"].get("handling_seconds") for c in changes] == [86_400, None]

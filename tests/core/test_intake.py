"""Submitting a case writes case, created event and outbox row in one transaction, numbered offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from contract.case_number import CASE_NUMBER
from contract.city.model import City
from operator_app.errors import AuthError, ValidationErrors
from operator_app.seat import Seat
from operator_app.services import intake
from operator_app.services.drafts import load_draft, save_draft
from operator_app.services.intake import submit_case
from operator_app.store import schema
from tests.core.helpers import direct_form, dispatch_form


def counts(seat: Seat) -> dict[str, int]:
    with seat.store.read() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (schema.cases, schema.case_events, schema.outbox)}


def test_submit_writes_case_event_and_outbox(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001",
                         now=datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    assert result.number == f"{seat.store.seat.seat_code}-20261128-0001"
    assert CASE_NUMBER.match(result.number)
    assert counts(seat) == {"cases": 1, "case_events": 1, "outbox": 1}
    with seat.store.read() as conn:
        row = conn.execute(select(schema.outbox)).one()
    assert row.name == "case.created" and row.operator_id == "1001" and row.entity_id == result.case_id
    assert row.state == "pending" and row.seq == 1
    args = json.loads(row.args_json)
    assert args["event"]["payload"]["number"] == result.number
    assert args["event"]["payload"]["fields"]["content"] == "楼上夜间装修噪音扰民"
    assert result.finish_by and result.respond_by


def test_numbers_follow_the_city_day_and_count_per_day(seat: Seat, city: City) -> None:
    # 17:30 UTC is already the next day in Asia/Shanghai.
    late = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)
    numbers = [submit_case(seat.store, city, form=direct_form(city), operator_id="1001", now=late).number
               for _ in range(3)]
    code = seat.store.seat.seat_code
    assert numbers == [f"{code}-20261129-0001", f"{code}-20261129-0002", f"{code}-20261129-0003"]
    next_day = submit_case(seat.store, city, form=direct_form(city), operator_id="1001",
                           now=datetime(2026, 11, 29, 17, 0, tzinfo=UTC)).number
    assert next_day == f"{code}-20261130-0001"


def test_direct_case_has_no_deadline(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=direct_form(city), operator_id="1001")
    assert (result.respond_by, result.finish_by) == ("", "")


def test_invalid_form_writes_nothing(seat: Seat, city: City) -> None:
    with pytest.raises(ValidationErrors):
        submit_case(seat.store, city, form=dispatch_form(city, content="😀"), operator_id="1001")
    assert counts(seat) == {"cases": 0, "case_events": 0, "outbox": 0}


def test_unknown_operator_is_refused(seat: Seat, city: City) -> None:
    with pytest.raises(AuthError):
        submit_case(seat.store, city, form=dispatch_form(city), operator_id="9999")


def test_a_role_without_intake_creates_no_real_case(seat: Seat, city: City) -> None:
    """The server refuses a case authored by a trainer (contract.roles: intake is operator and team_lead only);
    the seat refuses it first, so it never sits in the rejected list."""
    trainer = next(op.id for op in city.roster.values() if op.role == "trainer")
    with pytest.raises(AuthError, match="受理"):
        submit_case(seat.store, city, form=dispatch_form(city), operator_id=trainer)
    assert counts(seat) == {"cases": 0, "case_events": 0, "outbox": 0}


def test_failure_inside_the_transaction_leaves_nothing_half_written(
        seat: Seat, city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    save_draft(seat.store, operator_id="1001", form=dispatch_form(city))

    def explode(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(intake, "enqueue", explode)
    with pytest.raises(RuntimeError):
        submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    assert counts(seat) == {"cases": 0, "case_events": 0, "outbox": 0}
    assert load_draft(seat.store, operator_id="1001") is not None  # the draft survives a failed submit
    monkeypatch.undo()
    first = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    assert first.number.endswith("-0001")  # the day counter rolled back too


def test_submit_clears_only_the_submitters_draft(seat: Seat, city: City) -> None:
    save_draft(seat.store, operator_id="1001", form=dispatch_form(city))
    save_draft(seat.store, operator_id="1002", form=direct_form(city))
    submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    assert load_draft(seat.store, operator_id="1001") is None
    assert load_draft(seat.store, operator_id="1002") == direct_form(city)


def test_outbox_seq_is_monotonic(seat: Seat, city: City) -> None:
    for _ in range(5):
        submit_case(seat.store, city, form=direct_form(city), operator_id="1002")
    with seat.store.read() as conn:
        seqs = conn.execute(select(schema.outbox.c.seq).order_by(schema.outbox.c.seq)).scalars().all()
        mids = conn.execute(select(schema.outbox.c.mutation_id)).scalars().all()
    assert seqs == [1, 2, 3, 4, 5] and len(set(mids)) == 5


def test_citations_go_into_the_created_event(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=direct_form(city), operator_id="1001",
                         citations=(("demo-006", 3), ("demo-009", 1)))
    with seat.store.read() as conn:
        payload = json.loads(conn.execute(select(schema.case_events.c.payload_json).where(
            schema.case_events.c.case_id == result.case_id)).scalar_one())
        args = json.loads(conn.execute(select(schema.outbox.c.args_json)).scalar_one())
    expected = [{"id": "demo-006", "version": 3}, {"id": "demo-009", "version": 1}]
    assert payload["kb_citations"] == expected
    assert args["event"]["payload"]["kb_citations"] == expected  # and it syncs with the case


def test_no_citations_no_key(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=direct_form(city), operator_id="1001")
    with seat.store.read() as conn:
        payload = json.loads(conn.execute(select(schema.case_events.c.payload_json).where(
            schema.case_events.c.case_id == result.case_id)).scalar_one())
    assert "kb_citations" not in payload

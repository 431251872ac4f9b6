"""Cases with chosen fields and acceptance time, and "case.contact" mutations, shaped as the seat makes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent, CaseTopic
from tests.server.api_client import SeatClient, case_fields


def created(seat: SeatClient, seq: int, number: int, *, operator: str = "1001", **changes: Any) -> dict[str, Any]:
    """A case.created accepted now (so it falls in the 30-day window), with `changes` to the default fields."""
    case_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    recorded = now.isoformat(timespec="milliseconds")
    day = now.strftime("%Y%m%d")
    return {
        "seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.created", "operator_id": operator,
        "entity_id": case_id, "created_at": recorded,
        "args": {"case_id": case_id, "seat_code": seat.seat_code, "event": {
            "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "recorded_at": recorded,
            "payload": {"number": f"{seat.seat_code}-{day}-{number:04d}", "fields": case_fields(**changes),
                        "respond_by": (now + timedelta(hours=2)).isoformat(timespec="seconds"),
                        "finish_by": (now + timedelta(days=5)).isoformat(timespec="seconds")},
        }},
    }


def number_of(mutation: dict[str, Any]) -> str:
    return str(mutation["args"]["event"]["payload"]["number"])


def contact(seq: int, number: str, *, kind: str = "repeat_call", text: str = "又打来了，还没人处理",
            operator: str = "1001", event_id: str | None = None) -> dict[str, Any]:
    key = "content" if kind == "repeat_call" else "text"
    recorded = datetime.now(UTC).isoformat(timespec="milliseconds")
    return {
        "seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.contact", "operator_id": operator,
        "entity_id": number, "created_at": recorded,
        "args": {"case_number": number, "event": {
            "id": event_id or str(uuid.uuid4()), "kind": kind, "recorded_at": recorded,
            "payload": {key: text, "channel": "phone"}}},
    }


def results(resp: Any) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    return list(resp.json()["results"])


def set_case(database_url: str, number: str, *, status: str | None = None, days_old: int | None = None) -> None:
    """Close a case, or make it look accepted `days_old` days ago (received and grouped then)."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == number)).one()
            if status is not None:
                case.status = status
            if days_old is not None:
                then = datetime.now(UTC) - timedelta(days=days_old)
                case.received_at = then
                case.created_at = then.isoformat(timespec="milliseconds")
                session.execute(update(CaseTopic).where(CaseTopic.case_id == case.id).values(accepted_at=then))
            session.commit()
    finally:
        engine.dispose()


def history(database_url: str, number: str) -> list[tuple[str, dict[str, Any], str]]:
    """(kind, payload, operator) of each event of the case, in order."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == number)).one()
            rows = session.execute(select(CaseEvent.kind, CaseEvent.payload, CaseEvent.operator_id)
                                   .where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)).all()
            return [(k, dict(p or {}), o) for k, p, o in rows]
    finally:
        engine.dispose()

"""Cases: creation from a seat's "case.created" mutation, and the case lists people read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent, Seat
from central_server.services.case_args import CaseCreatedArgs, plain_errors
from central_server.services.changes import next_change_id, stamped_at_commit
from contract.enums import CaseStatus, Disposition
from contract.events import CREATED


class Rejected(Exception):
    """A mutation the server will not apply; `reason` is shown to a person at the seat."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CaseSummary:
    id: str
    number: str
    status: str
    created_by: str
    created_at: str
    respond_by: str
    finish_by: str
    category: str
    district: str
    lead_department: str


@dataclass(frozen=True)
class NewCase:
    """The rows one valid "case.created" becomes; the caller sets `event["change_id"]` (None on PostgreSQL:
    stamped at commit)."""

    case: dict[str, Any]
    event: dict[str, Any]


def plan_case_from_seat(*, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any],
                        received_at: datetime) -> NewCase:
    """Check a "case.created" and build its case and event rows (no database access); raises Rejected."""
    try:
        parsed = CaseCreatedArgs.model_validate(args)
    except ValidationError as exc:
        raise Rejected(f"invalid case.created arguments: {plain_errors(exc)}") from exc
    payload = parsed.event.payload
    if parsed.case_id != entity_id:
        raise Rejected("entity_id does not match args.case_id")
    if parsed.seat_code != seat.seat_code or not payload.number.startswith(seat.seat_code + "-"):
        raise Rejected(f"case number {payload.number} was not issued by this seat ({seat.seat_code})")
    fields = payload.fields
    status = (CaseStatus.CLOSED if fields["disposition"] == Disposition.DIRECT.value else CaseStatus.DISPATCHED).value
    case = {
        "id": parsed.case_id, "number": payload.number, "seat_id": seat.id, "created_by": operator_id,
        "status": status, "fields": fields, "lead_department": str(fields.get("lead_department", "")),
        "respond_by": payload.respond_by, "finish_by": payload.finish_by, "created_at": parsed.event.recorded_at,
        "received_at": received_at, "last_event_seq": 1,
    }
    event = {
        "id": parsed.event.id, "case_id": parsed.case_id, "seq": 1, "kind": CREATED,
        "payload": args["event"]["payload"], "operator_id": operator_id, "recorded_at": parsed.event.recorded_at,
        "seat_id": seat.id, "change_id": 0,
    }
    return NewCase(case, event)


def conflict_reason(number: str) -> str:
    return (f"case {number} conflicts with a case already on the server "
            "(same case id, case number or event id)")


def create_case_from_seat(
    session: Session, *, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any]
) -> Case:
    """Insert the case and its created event (inside the caller's savepoint); raises Rejected."""
    new = plan_case_from_seat(seat=seat, operator_id=operator_id, entity_id=entity_id, args=args,
                              received_at=datetime.now(UTC))
    case, event = Case(**new.case), CaseEvent(**new.event)
    try:
        session.add(case)
        session.flush()
        event.change_id = None if stamped_at_commit(session) else next_change_id(session)
        session.add(event)
        session.flush()
    except IntegrityError as exc:
        raise Rejected(conflict_reason(new.case["number"])) from exc
    return case


def cases_of_operator(session: Session, *, operator_id: str, limit: int, offset: int) -> list[CaseSummary]:
    """That operator's cases, newest received first."""
    rows = session.scalars(
        select(Case).where(Case.created_by == operator_id)
        .order_by(Case.received_at.desc(), Case.number.desc()).limit(limit).offset(offset)
    )
    return [summarize(c) for c in rows]


def summarize(case: Case) -> CaseSummary:
    """A case without the caller's name or phone."""
    fields = case.fields or {}
    return CaseSummary(
        id=case.id, number=case.number, status=case.status, created_by=case.created_by,
        created_at=case.created_at, respond_by=case.respond_by, finish_by=case.finish_by,
        category=str(fields.get("category", "")), district=str(fields.get("district", "")),
        lead_department=case.lead_department,
    )

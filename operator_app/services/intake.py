"""Submitting a case: validate, number it, and write case, event and outbox row in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from contract.case_fields import CaseInput, ValidCase, validate_case
from contract.case_number import day_and_seq, format_case_number
from contract.channel_intake import INTAKE_ID_KEY
from contract.city.model import City
from contract.enums import Disposition
from contract.events import CREATED, CaseEvent, apply_event
from contract.names import CASE_CREATED
from contract.roles import INTAKE, may, role_label
from operator_app.domain.deadlines import compute_deadlines
from operator_app.errors import AuthError
from operator_app.ids import CaseId, new_uuid
from operator_app.routing.record import RoutingSnapshot, routing_record
from operator_app.services.changes import Changes
from operator_app.store import schema
from operator_app.store.case_rows import case_row
from operator_app.store.database import Store

MAX_HANDLING_SECONDS = 86_400  # the server refuses more (central_server/services/case_args.py)


@dataclass(frozen=True)
class SubmitResult:
    case_id: CaseId
    number: str
    respond_by: str
    finish_by: str
    changes: Changes


def submit_case(
    store: Store, city: City, *, form: CaseInput, operator_id: str, now: datetime | None = None,
    routing: RoutingSnapshot | None = None, citations: tuple[tuple[str, int], ...] = (),
    handling_seconds: float = 0, call_id: str = "", intake_id: str | None = None,
) -> SubmitResult:
    """Validate and queue a case; raises ValidationErrors (nothing written) or returns its number.

    `citations` are the knowledge-base articles (id, version) the answer quotes; kept in the created event.
    `handling_seconds`: how long the operator worked on it (the desk counts from the form's first edit).
    `call_id`: the telephony system's id of the call it was taken on (the screen pop; operator_app/cti), kept in
    the created event so call records and cases join.
    `intake_id`: the channel message (网络渠道) the case is made from; the server then records the case's number on it.

    One transaction: day counter, case row, created event, outbox row, and the operator's draft removal.
    """
    check_intake(city, operator_id)
    valid = validate_case(form, city)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    local_day = at.astimezone(ZoneInfo(city.timezone)).date()
    case_id = CaseId(new_uuid())
    recorded_at = at.isoformat(timespec="milliseconds")
    extras: dict[str, object] = {}
    if routing is not None:
        extras["routing"] = routing_record(routing, category=valid.category,
                                           lead_department=valid.lead_department, district=valid.district)
    if call_id:
        extras["call_id"] = call_id
    if citations:
        extras["kb_citations"] = [{"id": str(aid), "version": int(ver)} for aid, ver in citations]
    if intake_id is not None:
        extras[INTAKE_ID_KEY] = intake_id
    with store.write() as conn:
        seq = _next_day_seq(conn, local_day.strftime("%Y%m%d"))
        number = format_case_number(store.seat.seat_code, local_day, seq)
        payload = created_payload(city, valid, number=number, accepted_at=at, extras=extras,
                                  handling_seconds=handling_seconds)
        event = CaseEvent(new_uuid(), case_id, 1, CREATED, payload, operator_id, recorded_at)
        state = apply_event(None, event)
        conn.execute(_INSERT_CASE, case_row(state, synced=False))
        _append_event(conn, event)
        enqueue(conn, name=CASE_CREATED, entity_id=case_id, operator_id=operator_id, created_at=recorded_at,
                args={"case_id": case_id, "seat_code": store.seat.seat_code, "event": event_wire(event)})
        conn.execute(_DELETE_DRAFT, {"operator_id": operator_id})
    return SubmitResult(case_id, number, state.respond_by, state.finish_by,
                        Changes(case_ids=(case_id,), outbox=True, draft=True))


def check_intake(city: City, operator_id: str) -> None:
    """The operator may take calls (contract.roles), else AuthError: the server would refuse their case."""
    operator = city.roster.get(operator_id)
    if operator is None:
        raise AuthError(f"operator {operator_id!r} is not in the roster")
    if not may(operator.role, INTAKE):
        raise AuthError(f"{role_label(operator.role)}（工号 {operator_id}）没有受理权限，不能提交正式工单")


def handling_time(seconds: float) -> int:
    """Whole seconds of handling within what the server takes (0..MAX_HANDLING_SECONDS): a form left open
    overnight counts a day, a clock that went backwards counts nothing."""
    return max(0, min(MAX_HANDLING_SECONDS, int(seconds)))


def created_payload(city: City, valid: ValidCase, *, number: str, accepted_at: datetime,
                    extras: dict[str, object], handling_seconds: float = 0) -> dict[str, object]:
    """The payload of a case's created event: number, fields, deadlines counted from acceptance, the handling
    time in whole seconds, and the routing record and knowledge-base citations (`extras`) when there are any."""
    respond_by = finish_by = ""
    if valid.disposition == Disposition.DISPATCH.value:
        dl = compute_deadlines(city.deadline_rules, category=valid.category, urgency=valid.urgency,
                               accepted_at=accepted_at)
        respond_by = dl.respond_by.isoformat(timespec="seconds")
        finish_by = dl.finish_by.isoformat(timespec="seconds")
    return {"number": number, "fields": valid.to_dict(), "respond_by": respond_by, "finish_by": finish_by,
            "handling_seconds": handling_time(handling_seconds), **extras}


# Statements built once: SQLAlchemy then reuses their compiled form, and a submit costs the commit, not Python.
_INSERT_CASE = insert(schema.cases)
_INSERT_EVENT = insert(schema.case_events)
_INSERT_OUTBOX = insert(schema.outbox)
_DELETE_DRAFT = delete(schema.drafts).where(schema.drafts.c.operator_id == bindparam("operator_id"))
_DAY_SEQ = select(schema.day_counters.c.last_seq).where(schema.day_counters.c.day == bindparam("day"))
_DAY_INSERT = insert(schema.day_counters)
_DAY_UPDATE = update(schema.day_counters).where(schema.day_counters.c.day == bindparam("d")) \
    .values(last_seq=bindparam("seq"))


def _next_day_seq(conn: Connection, day: str) -> int:
    current = conn.execute(_DAY_SEQ, {"day": day}).scalar()
    if current is None:
        conn.execute(_DAY_INSERT, {"day": day, "last_seq": 1})
        return 1
    conn.execute(_DAY_UPDATE, {"d": day, "seq": int(current) + 1})
    return int(current) + 1


def number_taken(conn: Connection, number: str) -> None:
    """A case of this seat arrived from elsewhere (pulled back into a restored store): that day's numbering
    continues after it, so its number is never issued again."""
    parsed = day_and_seq(number)
    if parsed is None:
        return
    day, seq = parsed
    current = conn.execute(_DAY_SEQ, {"day": day}).scalar()
    if current is None:
        conn.execute(_DAY_INSERT, {"day": day, "last_seq": seq})
    elif int(current) < seq:
        conn.execute(_DAY_UPDATE, {"d": day, "seq": seq})


def _append_event(conn: Connection, event: CaseEvent) -> None:
    conn.execute(_INSERT_EVENT, dict(
        id=event.id, case_id=event.case_id, seq=event.seq, kind=event.kind,
        payload_json=json.dumps(event.payload, ensure_ascii=False), operator_id=event.operator_id,
        recorded_at=event.recorded_at,
    ))


def event_wire(event: CaseEvent) -> dict[str, object]:
    return {"id": event.id, "seq": event.seq, "kind": event.kind, "payload": event.payload,
            "recorded_at": event.recorded_at}


def enqueue(
    conn: Connection, *, name: str, entity_id: str, operator_id: str, created_at: str, args: dict[str, object]
) -> None:
    """Add one mutation to the outbox inside the caller's transaction."""
    conn.execute(_INSERT_OUTBOX, dict(
        mutation_id=new_uuid(), name=name, args_json=json.dumps(args, ensure_ascii=False),
        operator_id=operator_id, entity_id=entity_id, created_at=created_at, state="pending", attempts=0,
        last_error="",
    ))

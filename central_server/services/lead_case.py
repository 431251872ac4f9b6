"""One case of the lead's team: its full history, revealing a masked value (audited), and the lead's actions
(退回修改, 改派, 督办, 备注), each an event appended through case_history so the case's seat pulls it, the case row
moved by the contract's apply_event so server and seat agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Invalid, NotFound
from central_server.db.models import Case, CaseEvent, Seat, User
from central_server.services import audit
from central_server.services.case_history import append_event
from central_server.services.lead_queue import repeat_counts
from central_server.services.lead_rows import (
    History,
    RowContext,
    case_columns,
    masked_fields,
    parse_time,
    queue_row,
)
from contract.city.model import City
from contract.enums import CaseStatus
from contract.events import (
    CREATED,
    EVENT_LABELS,
    NOTE,
    REDISPATCHED,
    RETURNED_FOR_CORRECTION,
    SUPERVISED,
    CaseState,
    apply_event,
)
from contract.events import CaseEvent as ContractEvent

REVEAL = "reveal"  # the audit_log kind of a revealed value
REVEALABLE = {"phone": "phone", "caller_name": "caller_name", "address": "address"}
MIN_REASON = 2

_S = CaseStatus
# What each action appends, and from which statuses it may (None: any status).
ACTION_KINDS = {"return_for_correction": RETURNED_FOR_CORRECTION, "redispatch": REDISPATCHED,
                "supervise": SUPERVISED, "note": NOTE}
ALLOWED_FROM: dict[str, frozenset[str] | None] = {
    "return_for_correction": frozenset({_S.DISPATCHED.value, _S.SIGNED.value, _S.RETURNED.value,
                                        _S.EXTENDED.value}),
    "redispatch": frozenset({_S.DISPATCHED.value, _S.SIGNED.value, _S.RETURNED.value, _S.EXTENDED.value}),
    "supervise": frozenset({s.value for s in _S} - {_S.CLOSED.value}),
    "note": None,
}
ACTION_LABELS = {"return_for_correction": "退回修改", "redispatch": "改派", "supervise": "督办", "note": "备注"}


@dataclass(frozen=True)
class ActionDone:
    number: str
    status: str
    event_seq: int
    kind: str


def team_case(session: Session, *, team: str, number: str, lock: bool = False) -> Case:
    """The case numbered `number` if its author is of `team`; 404 `case_not_found` otherwise (another team's
    numbers are not confirmed)."""
    stmt = select(Case).where(Case.number == number)
    if lock:
        stmt = stmt.with_for_update()
    case = session.scalars(stmt).one_or_none()
    if case is None or not team or session.scalar(select(User.team).where(User.id == case.created_by)) != team:
        raise NotFound(f"no case numbered {number} in your team", code="case_not_found")
    return case


def case_detail(session: Session, *, team: str, number: str, city: City, low_confidence_below: float,
                repeat_days: int, now: datetime | None = None) -> dict[str, Any]:
    """{case: the queue row + every field (masked), events: [{seq, kind, label, payload, actor_id, actor_name,
    recorded_at}]}; payloads with fields carry them masked."""
    case = team_case(session, team=team, number=number)
    events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
    actors = {e.operator_id for e in events} | {case.created_by}
    users = dict(session.execute(select(User.id, User.name).where(User.id.in_(actors))).all())
    names = {**{d.id: d.name for d in city.departments.values()}, **users}
    history = History()
    created_routing = None
    for event in events:
        if event.kind == CREATED:
            routing = (event.payload or {}).get("routing")
            created_routing = routing if isinstance(routing, dict) else None
        else:
            history.add(event.kind, event.payload or {})
    seat = session.get(Seat, case.seat_id)
    columns = case_columns(case, created_routing)
    accepted = parse_time(case.created_at)
    repeats = repeat_counts(session, [(columns, accepted)], timedelta(days=repeat_days)) if accepted else {}
    ctx = RowContext(city=city, now=now or datetime.now(UTC), operators=users,
                     seat_codes={case.seat_id: seat.seat_code} if seat else {},
                     low_confidence_below=low_confidence_below, due_soon=timedelta(hours=1))
    row = queue_row(columns, history, repeats.get(case.id, 0), ctx)
    row["fields"] = masked_fields(case.fields or {})
    return {"case": row, "events": [{
        "seq": e.seq, "kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind), "payload": _masked_payload(e.payload),
        "actor_id": e.operator_id, "actor_name": names.get(e.operator_id, ""), "recorded_at": e.recorded_at,
    } for e in events]}


def _masked_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(payload or {})
    if isinstance(out.get("fields"), dict):
        out["fields"] = masked_fields(out["fields"])
    return out


def _reason(text: str | None, what: str) -> str:
    reason = (text or "").strip()
    if len(reason) < MIN_REASON:
        raise Invalid(f"{what} needs a reason of at least {MIN_REASON} characters", code="reason_required")
    return reason


def reveal(session: Session, *, lead: User, number: str, field: str, reason: str | None,
           address: str | None) -> str:
    """The unmasked value of one personal field; the audit log records who, which case and field and why — never
    the value. Commits."""
    if field not in REVEALABLE:
        raise Invalid(f"field must be one of: {', '.join(REVEALABLE)}", code="unknown_field")
    why = _reason(reason, "revealing a value")
    case = team_case(session, team=lead.team, number=number)
    value = str((case.fields or {}).get(REVEALABLE[field]) or "")
    audit.record(session, REVEAL, user_id=lead.id, username=lead.username, address=address,
                 detail=f"case {case.number} field {field}", private_detail=f"reason: {why}")
    session.commit()
    return value


def act(session: Session, *, lead: User, number: str, action: str, reason: str | None, text: str | None,
        to_department: str | None, city: City) -> ActionDone:
    """Append one lead action to the case and move its row as the seat will; commits. Raises Invalid (bad input),
    NotFound (not the lead's team) or Conflict (the case's status does not allow it)."""
    kind = ACTION_KINDS.get(action)
    if kind is None:
        raise Invalid(f"action must be one of: {', '.join(ACTION_KINDS)}", code="unknown_action")
    payload: dict[str, Any]
    if action == "note":
        note = (text or "").strip()
        if not note:
            raise Invalid("a note needs its text", code="text_required")
        payload = {"text": note}
    else:
        payload = {"reason": _reason(reason, ACTION_LABELS[action])}
    case = team_case(session, team=lead.team, number=number, lock=True)
    allowed = ALLOWED_FROM[action]
    if allowed is not None and case.status not in allowed:
        raise Conflict(f"case {number} is {case.status}: {ACTION_LABELS[action]} ({action}) is not possible now",
                       code="invalid_transition")
    if action == "redispatch":
        target = (to_department or "").strip()
        if target not in city.departments:
            raise Invalid(f"unknown department {target!r}", code="unknown_department")
        if target == case.lead_department:
            raise Invalid(f"case {number} is already with {target}", code="same_department")
        payload = {"from_department": case.lead_department, "to_department": target, **payload}
    event = append_event(session, case, kind=kind, payload=payload, actor_id=lead.id)
    state = apply_event(_state_of(case), ContractEvent(
        id=event.id, case_id=case.id, seq=event.seq, kind=kind, payload=payload, operator_id=lead.id,
        recorded_at=event.recorded_at))
    case.status = state.status
    case.fields = dict(state.fields)
    case.lead_department = str(state.fields.get("lead_department") or case.lead_department)
    case.finish_by = state.finish_by
    session.commit()
    return ActionDone(case.number, case.status, event.seq, kind)


def _state_of(case: Case) -> CaseState:
    return CaseState(id=case.id, number=case.number, status=case.status, fields=dict(case.fields or {}),
                     respond_by=case.respond_by, finish_by=case.finish_by, created_at=case.created_at,
                     created_by=case.created_by)

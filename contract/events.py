"""Case history as append-only events, and the current state derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from contract.enums import CaseStatus, Disposition

CREATED = "created"
SUPPLEMENTED = "supplemented"
# Department actions, recorded by the central server and pulled by the seat.
SIGNED = "signed"
RETURNED = "returned"
EXTENDED = "extended"
COMPLETED = "completed"

# Recorded on the server by people there. Payloads (every one also carries "reason" or "text" as noted):
CALLBACK = "callback"  # {result: CallbackResult code, note}: the return visit (回访); state unchanged
RETURNED_FOR_CORRECTION = "returned_for_correction"  # {reason}: a team lead sends it back (退回修改) → correcting
REDISPATCHED = "redispatched"  # {from_department, to_department, reason}: 改派 → dispatched to the new lead unit
SUPERVISED = "supervised"  # {reason}: 督办; state unchanged
NOTE = "note"  # {text}; state unchanged
# What citizens do after submit, recorded at a seat (any seat, about any open case) or on the server:
REPEAT_CALL = "repeat_call"  # {content, channel, call_id?}: the citizen contacted again about this case (重复来电)
URGED = "urged"  # {text, channel}: the citizen urges the case on (催办); state unchanged
REOPENED = "reopened"  # {reason, callback_event_id?, new_finish_by?}: 不满意 at the callback → dispatched again (重办)
# Made at the seat after a send-back and pushed as a "case.event" mutation:
CORRECTED = "corrected"  # {fields, routing?, citations?}: the operator's corrected case (same number) → dispatched

EVENT_LABELS = {CREATED: "受理", SUPPLEMENTED: "补充说明", SIGNED: "承办单位签收", RETURNED: "退单",
                EXTENDED: "延期", COMPLETED: "承办单位办结", CALLBACK: "回访", RETURNED_FOR_CORRECTION: "退回修改",
                REDISPATCHED: "改派", SUPERVISED: "督办", NOTE: "备注", CORRECTED: "更正后重新提交",
                REPEAT_CALL: "重复来电", URGED: "催办", REOPENED: "重办"}
EVENT_KINDS = tuple(EVENT_LABELS)
_STATUS_AFTER = {SIGNED: CaseStatus.SIGNED, RETURNED: CaseStatus.RETURNED, EXTENDED: CaseStatus.EXTENDED,
                 COMPLETED: CaseStatus.CLOSED}


@dataclass(frozen=True)
class CaseEvent:
    """One fact about a case; `recorded_at` is for display only, never for ordering."""

    id: str
    case_id: str
    seq: int  # position in the case's history, 1-based
    kind: str
    payload: dict[str, Any]
    operator_id: str
    recorded_at: str  # UTC ISO-8601


@dataclass(frozen=True)
class CaseState:
    """What a case is now, folded from its events in order."""

    id: str
    number: str
    status: str
    fields: dict[str, Any]
    respond_by: str
    finish_by: str
    created_at: str
    created_by: str
    supplements: tuple[str, ...] = field(default=())


def _status_of_fields(fields: dict[str, Any]) -> CaseStatus:
    """A case answered on the call (直接办结) is closed at once; any other is dispatched to its lead unit."""
    return CaseStatus.CLOSED if fields.get("disposition") == Disposition.DIRECT.value else CaseStatus.DISPATCHED


def apply_event(state: CaseState | None, event: CaseEvent) -> CaseState:
    """Fold one event into the state; unknown kinds leave it unchanged so older seats read newer histories."""
    if event.kind == CREATED:
        p = event.payload
        status = _status_of_fields(p["fields"])
        return CaseState(
            id=event.case_id, number=p["number"], status=status.value, fields=dict(p["fields"]),
            respond_by=p.get("respond_by", ""), finish_by=p.get("finish_by", ""),
            created_at=event.recorded_at, created_by=event.operator_id,
        )
    if state is None:
        raise ValueError(f"event {event.kind!r} before the case was created")
    if event.kind == SUPPLEMENTED:
        return replace(state, supplements=(*state.supplements, str(event.payload["text"])))
    if event.kind in _STATUS_AFTER:
        finish_by = str(event.payload.get("new_finish_by") or state.finish_by) if event.kind == EXTENDED \
            else state.finish_by
        # The central server says what the status became (an extension keeps a case "signed" there);
        # without that, the kind of event decides.
        told = CaseStatus.parse(event.payload.get("status"))
        status = told.value if told is not None else _STATUS_AFTER[event.kind].value
        return replace(state, status=status, finish_by=finish_by)
    if event.kind == RETURNED_FOR_CORRECTION:
        return replace(state, status=CaseStatus.CORRECTING.value)
    if event.kind == CORRECTED:
        fields = dict(event.payload["fields"])
        return replace(state, fields=fields, status=_status_of_fields(fields).value)
    if event.kind == REOPENED:
        finish_by = str(event.payload.get("new_finish_by") or state.finish_by)
        return replace(state, status=CaseStatus.DISPATCHED.value, finish_by=finish_by)
    if event.kind == REDISPATCHED:
        fields = {**state.fields, "lead_department": str(event.payload["to_department"])}
        return replace(state, fields=fields, status=CaseStatus.DISPATCHED.value)
    return state


def derive_state(events: list[CaseEvent]) -> CaseState:
    """The current state of a case from its whole history, ordered by seq."""
    state: CaseState | None = None
    for event in sorted(events, key=lambda e: e.seq):
        state = apply_event(state, event)
    if state is None:
        raise ValueError("a case needs at least its created event")
    return state

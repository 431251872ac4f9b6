"""Correcting a case, keeping its number and acceptance time: a case the central server rejected (its created
event is rewritten and queued again), and a case a team lead sent back for correction (退回修改: a `corrected`
event is appended and pushed as a "case.event" mutation)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from contract.case_fields import CaseInput, ValidCase, validate_case
from contract.city.model import City
from contract.enums import CaseStatus
from contract.events import CORRECTED, CREATED, RETURNED_FOR_CORRECTION, CaseEvent, CaseState, apply_event
from contract.names import CASE_CREATED, CASE_EVENT
from operator_app.errors import OperatorAppError
from operator_app.ids import CaseId, new_uuid
from operator_app.routing.record import rechosen
from operator_app.services.changes import Changes
from operator_app.services.intake import (
    SubmitResult,
    check_intake,
    created_payload,
    enqueue,
    event_wire,
)
from operator_app.store import schema
from operator_app.store.case_rows import case_row, stored_events
from operator_app.store.database import Store, utc_now

# Keys of a created payload that are not "what the first submission recorded beside the fields".
_CASE_KEYS = ("number", "fields", "respond_by", "finish_by", "handling_seconds")


def form_of(fields: dict[str, Any]) -> CaseInput:
    """A case's stored fields as the form's input, to load into the form."""
    return CaseInput.from_mapping({k: v for k, v in fields.items() if k in CaseInput.__dataclass_fields__})


# -- a case the server rejected ---------------------------------------------------------------------------------

def rejected_case_form(store: Store, *, seq: int) -> CaseInput:
    """The fields of a rejected case.created mutation, ready to load into the form."""
    with store.read() as conn:
        row = conn.execute(select(schema.outbox).where(schema.outbox.c.seq == seq)).first()
    if row is not None and row.state == "rejected" and row.name == CASE_EVENT:
        raise OperatorAppError("这条更正未被中心接受，原因见列表。若该工单仍是“退回修改”状态，"
                               "请在“我的工单”中打开它重新更正；否则以中心的最新状态为准。")
    if row is None or row.state != "rejected" or row.name != CASE_CREATED:
        raise OperatorAppError("这条变更不是被退回的新建工单，无法修改重提")
    return form_of(json.loads(row.args_json)["event"]["payload"]["fields"])


def resubmit_case(store: Store, city: City, *, seq: int, form: CaseInput) -> SubmitResult:
    """Validate the corrected form; in one transaction replace the unsynced created event and queue it anew."""
    valid = validate_case(form, city)
    o, e = schema.outbox.c, schema.case_events.c
    with store.write() as conn:
        row = conn.execute(select(schema.outbox).where(o.seq == seq)).first()
        if row is None or row.state != "rejected" or row.name != CASE_CREATED:
            raise OperatorAppError("这条变更已处理或不是被退回的新建工单")
        args = json.loads(row.args_json)
        old = args["event"]
        payload = created_payload(city, valid, number=old["payload"]["number"],
                                  accepted_at=datetime.fromisoformat(old["recorded_at"]),
                                  extras=_kept_extras(old["payload"], valid),
                                  handling_seconds=old["payload"].get("handling_seconds", 0))
        case_id = CaseId(row.entity_id)
        event = CaseEvent(old["id"], case_id, 1, CREATED, payload, row.operator_id, old["recorded_at"])
        state = apply_event(None, event)
        conn.execute(update(schema.case_events).where(e.id == event.id)
                     .values(payload_json=json.dumps(payload, ensure_ascii=False)))
        conn.execute(update(schema.cases).where(schema.cases.c.id == case_id)
                     .values(case_row(state, synced=False)))
        conn.execute(delete(schema.outbox).where(o.seq == seq))
        enqueue(conn, name=CASE_CREATED, entity_id=case_id, operator_id=row.operator_id,
                created_at=utc_now(), args={**args, "event": event_wire(event)})
    return SubmitResult(case_id, state.number, state.respond_by, state.finish_by,
                        Changes(case_ids=(case_id,), outbox=True))


def _kept_extras(old: dict[str, Any], valid: ValidCase) -> dict[str, object]:
    """What the first submission recorded beside the fields: the routing suggestion (with the corrected choice,
    so the override figures count this case) and the knowledge-base citations."""
    extras = {k: v for k, v in old.items() if k not in _CASE_KEYS}
    if isinstance(extras.get("routing"), dict):
        extras["routing"] = rechosen(extras["routing"], category=valid.category,
                                     lead_department=valid.lead_department, district=valid.district)
    return extras


# -- a case a team lead sent back -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnedCase:
    """A case sent back for correction, as the form loads it: its current fields, the lead's reason and who."""

    case_id: str
    number: str
    accepted_at: str
    reason: str
    returned_by: str
    form: CaseInput


def returned_case(store: Store, *, case_id: str) -> ReturnedCase:
    """The case as it stands now, ready to load into the form; OperatorAppError unless it is sent back."""
    with store.read() as conn:
        events = stored_events(conn, case_id)
    state = _state(events)
    if state is None or state.status != CaseStatus.CORRECTING.value:
        raise OperatorAppError("该工单不是“退回修改”状态，无需更正（可能已更正或已被改派）")
    last = next(ev for ev in reversed(events) if ev.kind == RETURNED_FOR_CORRECTION)
    return ReturnedCase(case_id, state.number, state.created_at, str(last.payload.get("reason") or ""),
                        last.operator_id, form_of(state.fields))


def correct_case(store: Store, city: City, *, case_id: str, form: CaseInput, operator_id: str,
                 now: datetime | None = None) -> SubmitResult:
    """Validate the corrected form; in one transaction append the `corrected` event, update the case row, queue
    the "case.event" mutation and remove the operator's draft (the correction as typed). Raises ValidationErrors (nothing written), AuthError, or OperatorAppError
    when the case is no longer sent back (corrected already, or redispatched by the lead)."""
    check_intake(city, operator_id)
    valid = validate_case(form, city)
    recorded_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    e = schema.case_events.c
    with store.write() as conn:
        events = stored_events(conn, case_id)
        state = _state(events)
        if state is None or state.status != CaseStatus.CORRECTING.value:
            raise OperatorAppError("该工单已不是“退回修改”状态，更正未保存（可能已更正或已被改派）")
        seq = int(conn.execute(select(func.max(e.seq)).where(e.case_id == case_id)).scalar_one()) + 1
        payload: dict[str, object] = {"fields": valid.to_dict(), **_correction_extras(events, valid)}
        event = CaseEvent(new_uuid(), case_id, seq, CORRECTED, payload, operator_id, recorded_at)
        after = apply_event(state, event)
        conn.execute(insert(schema.case_events).values(
            id=event.id, case_id=case_id, seq=seq, kind=CORRECTED,
            payload_json=json.dumps(payload, ensure_ascii=False), operator_id=operator_id, recorded_at=recorded_at))
        conn.execute(update(schema.cases).where(schema.cases.c.id == case_id).values(case_row(after, synced=False)))
        enqueue(conn, name=CASE_EVENT, entity_id=case_id, operator_id=operator_id, created_at=recorded_at,
                args={"case_id": case_id, "event": event_wire(event)})
        # The draft is the correction as it was typed: submitted now, it must not come back as a new case.
        conn.execute(delete(schema.drafts).where(schema.drafts.c.operator_id == operator_id))
    return SubmitResult(CaseId(case_id), after.number, after.respond_by, after.finish_by,
                        Changes(case_ids=(CaseId(case_id),), outbox=True, draft=True))


def _state(events: list[CaseEvent]) -> CaseState | None:
    state: CaseState | None = None
    for event in events:
        state = apply_event(state, event)
    return state


def _correction_extras(events: list[CaseEvent], valid: ValidCase) -> dict[str, object]:
    """The routing record of the latest submission, re-chosen for the corrected fields, and the first
    submission's knowledge-base citations (contract.events.CORRECTED: {fields, routing?, citations?})."""
    extras: dict[str, object] = {}
    created = events[0].payload
    submitted = [ev.payload for ev in events if ev.kind in (CREATED, CORRECTED)]
    routing = next((p["routing"] for p in reversed(submitted) if isinstance(p.get("routing"), dict)), None)
    if routing is not None:
        extras["routing"] = _kept_extras({"routing": routing}, valid)["routing"]
    citations = created.get("kb_citations")
    if isinstance(citations, list) and citations:
        extras["citations"] = citations
    return extras

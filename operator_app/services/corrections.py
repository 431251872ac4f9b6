"""Correct a case the central server rejected and queue it again, keeping its number and acceptance time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from contract.case_fields import CaseInput, ValidCase, validate_case
from contract.city.model import City
from contract.events import CREATED, CaseEvent, apply_event
from contract.names import CASE_CREATED
from operator_app.errors import OperatorAppError
from operator_app.ids import CaseId
from operator_app.routing.record import rechosen
from operator_app.services.changes import Changes
from operator_app.services.intake import (
    SubmitResult,
    created_payload,
    enqueue,
    event_wire,
)
from operator_app.store import schema
from operator_app.store.case_rows import case_row
from operator_app.store.database import Store, utc_now


def rejected_case_form(store: Store, *, seq: int) -> CaseInput:
    """The fields of a rejected case.created mutation, ready to load into the form."""
    with store.read() as conn:
        row = conn.execute(select(schema.outbox).where(schema.outbox.c.seq == seq)).first()
    if row is None or row.state != "rejected" or row.name != CASE_CREATED:
        raise OperatorAppError("这条变更不是被退回的新建工单，无法修改重提")
    fields = json.loads(row.args_json)["event"]["payload"]["fields"]
    return CaseInput.from_mapping({k: v for k, v in fields.items() if k in CaseInput.__dataclass_fields__})


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
                                  extras=_kept_extras(old["payload"], valid))
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
    extras = {k: v for k, v in old.items() if k not in ("number", "fields", "respond_by", "finish_by")}
    if isinstance(extras.get("routing"), dict):
        extras["routing"] = rechosen(extras["routing"], category=valid.category,
                                     lead_department=valid.lead_department, district=valid.district)
    return extras

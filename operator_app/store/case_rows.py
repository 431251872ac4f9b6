"""The seat's `cases` row of a case: the one projection of its state, used by every writer of a case."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select, update

from contract.events import CaseEvent, CaseState, derive_state
from operator_app.store import schema


def case_row(state: CaseState, *, synced: bool) -> dict[str, Any]:
    """Every column of schema.cases for a case in this state (contract.events.apply_event / derive_state)."""
    f = state.fields
    return {
        "id": state.id, "number": state.number, "created_by": state.created_by, "created_at": state.created_at,
        "status": state.status, "category": f["category"], "district": f["district"],
        "lead_department": f["lead_department"], "urgency": f["urgency"], "disposition": f["disposition"],
        "appeal_type": f["appeal_type"], "special_needs": ",".join(f["special_needs"]),
        "confidential": bool(f["confidential"]), "caller_name": f["caller_name"], "phone": f["phone"],
        "content": f["content"], "respond_by": state.respond_by, "finish_by": state.finish_by, "synced": synced,
    }


def stored_events(conn: Connection, case_id: str) -> list[CaseEvent]:
    """The case's events as this store holds them, in seq order."""
    e = schema.case_events.c
    rows = conn.execute(select(schema.case_events).where(e.case_id == case_id).order_by(e.seq)).all()
    return [CaseEvent(r.id, r.case_id, r.seq, r.kind, json.loads(r.payload_json), r.operator_id, r.recorded_at)
            for r in rows]


def reproject(conn: Connection, case_id: str) -> CaseState:
    """Re-derive the case's row from its stored events (every column but `synced`, which the outbox decides):
    a correction changes its fields, a redispatch its lead unit, a department its status."""
    state = derive_state(stored_events(conn, case_id))
    row = case_row(state, synced=False)
    del row["synced"], row["id"]
    conn.execute(update(schema.cases).where(schema.cases.c.id == case_id).values(row))
    return state

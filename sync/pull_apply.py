"""Apply pulled changes and save the cursor in one transaction. Case history is append-only: no conflicts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from operator_app.domain.events import CaseEvent, derive_state
from operator_app.store import schema
from operator_app.store.database import Store
from sync.protocol import ENTITY_CASE_EVENT, Change


@dataclass(frozen=True)
class PullOutcome:
    applied: int
    case_ids: tuple[str, ...]


def apply_pulled(store: Store, changes: list[Change], cursor: int) -> PullOutcome:
    """Append events we do not have yet, re-derive those cases' projection rows, save the cursor."""
    touched: set[str] = set()
    applied = 0
    with store.write() as conn:
        for change in changes:
            if change.entity == ENTITY_CASE_EVENT and change.op == "upsert" and _append_event(conn, change.data):
                touched.add(str(change.data["case_id"]))
                applied += 1
        for case_id in touched:
            _reproject(conn, case_id)
        conn.execute(update(schema.sync_state).values(pull_cursor=cursor))
    return PullOutcome(applied, tuple(sorted(touched)))


def _append_event(conn: Connection, data: dict[str, Any]) -> bool:
    e = schema.case_events.c
    event = data["event"]
    if conn.execute(select(e.id).where(e.id == event["id"])).first() is not None:
        return False  # ours, or pulled before
    case_known = conn.execute(select(schema.cases.c.id).where(schema.cases.c.id == data["case_id"])).first()
    if case_known is None and event["kind"] != "created":
        return False  # a case this store never had (restored from an old backup): nothing to attach it to
    conn.execute(insert(schema.case_events).values(
        id=event["id"], case_id=data["case_id"], seq=int(event["seq"]), kind=event["kind"],
        payload_json=json.dumps(event.get("payload", {}), ensure_ascii=False),
        operator_id=str(event.get("operator_id", "")), recorded_at=event["recorded_at"],
    ))
    if case_known is None:
        _insert_projection(conn, data["case_id"], event)
    return True


def _insert_projection(conn: Connection, case_id: str, event: dict[str, Any]) -> None:
    p, f = event["payload"], event["payload"]["fields"]
    conn.execute(insert(schema.cases).values(
        id=case_id, number=p["number"], created_by=str(event.get("operator_id", "")),
        created_at=event["recorded_at"], status="", category=f["category"], district=f["district"],
        lead_department=f["lead_department"], urgency=f["urgency"], disposition=f["disposition"],
        appeal_type=f["appeal_type"], special_needs=",".join(f["special_needs"]), confidential=f["confidential"],
        caller_name=f["caller_name"], phone=f["phone"], content=f["content"], respond_by=p.get("respond_by", ""),
        finish_by=p.get("finish_by", ""), synced=True,
    ))


def _reproject(conn: Connection, case_id: str) -> None:
    e = schema.case_events.c
    rows = conn.execute(select(schema.case_events).where(e.case_id == case_id)).all()
    events = [CaseEvent(r.id, r.case_id, r.seq, r.kind, json.loads(r.payload_json), r.operator_id, r.recorded_at)
              for r in rows]
    state = derive_state(events)
    conn.execute(update(schema.cases).where(schema.cases.c.id == case_id)
                 .values(status=state.status, finish_by=state.finish_by))

"""Appending an event to a case on the server: the one place a server-side event row is built (department actions,
team leads' actions, callbacks). The seat's own events arrive by push (services/cases.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent
from central_server.services import kpi_projection
from central_server.services.changes import next_change_id


def append_event(session: Session, case: Case, *, kind: str, payload: dict[str, Any], actor_id: str,
                 at: datetime | None = None, change_id: int | None = None) -> CaseEvent:
    """Add one event after the case's last (the caller holds the case row locked and commits); the event's
    change id is stamped now, not at commit, so the caller can report it.

    `at` is when it happened (recorded_at; default now): the demo shift records a past shift's events. It never
    orders anything: seq orders a case's events and the change id the pull feed. `change_id` is one the caller
    took in this transaction for this event (changes.take_change_ids, for many events in one go)."""
    if at is not None and at.tzinfo is None:
        raise ValueError("an event's time needs its UTC offset")
    when = (at or datetime.now(UTC)).astimezone(UTC)
    case.last_event_seq += 1
    event = CaseEvent(
        id=str(uuid.uuid4()), case_id=case.id, seq=case.last_event_seq, kind=kind, payload=payload,
        operator_id=actor_id[:16], recorded_at=when.isoformat(timespec="milliseconds"),
        seat_id=case.seat_id, change_id=next_change_id(session) if change_id is None else change_id,
    )
    session.add(event)
    kpi_projection.on_event(session, case, event)  # the KPI projection moves in the same transaction
    return event

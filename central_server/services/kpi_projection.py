"""The per-case facts the team lead's KPIs aggregate (tables case_kpi and case_kpi_departments), kept up to date in
the transaction that writes each event: `created_rows` when a case is created (services/cases.py and the bulk push
path), `on_event` for every server-side event (services/case_history.append_event). docs/ARCHITECTURE.md
"Shift KPIs" defines every figure made from these rows."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent, CaseKpi, CaseKpiDepartment
from contract.enums import CallbackResult, Disposition
from contract.events import CALLBACK, COMPLETED, CORRECTED, CREATED, EXTENDED, REDISPATCHED, RETURNED, SIGNED

# The first of these events is the department's response (签收, 退单, 延期 or 办结).
RESPONSES = frozenset({SIGNED, RETURNED, EXTENDED, COMPLETED})
MAX_HANDLING_SECONDS = 24 * 3600  # a form open longer than a day is not a handling time


def utc(text: object) -> datetime | None:
    """An ISO-8601 time with its offset, in UTC; None when absent, malformed or without an offset."""
    if isinstance(text, datetime):
        when = text
    elif isinstance(text, str) and text:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


def handling_seconds(payload: dict[str, Any]) -> int | None:
    """The created payload's `handling_seconds` (form opened to submitted) when it is a plausible number."""
    value = payload.get("handling_seconds")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(value) if 0 <= value <= MAX_HANDLING_SECONDS else None


def routing_flags(record: object) -> tuple[bool, bool]:
    """(suggested, overridden) from the routing record the seat stores (operator_app/routing/record.py)."""
    if not isinstance(record, dict) or not record.get("suggestions"):
        return False, False
    return True, record.get("overridden") is True


def _departments(fields: dict[str, Any]) -> list[str]:
    if fields.get("disposition") != Disposition.DISPATCH.value:
        return []
    cooperating = fields.get("cooperating_departments") or []
    named = [fields.get("lead_department"), *(cooperating if isinstance(cooperating, list) else [])]
    return list(dict.fromkeys(d for d in named if isinstance(d, str) and d))


def created_rows(case: dict[str, Any], payload: dict[str, Any], timezone: ZoneInfo
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The case_kpi row and the case_kpi_departments rows of a new case (`case`: the server's case row as a dict,
    `payload`: its created event's payload as the seat sent it)."""
    fields = case["fields"] or {}
    accepted = utc(case["created_at"]) or utc(case["received_at"])
    assert accepted is not None
    suggested, overridden = routing_flags(payload.get("routing"))
    row = {
        "case_id": case["id"], "operator_id": case["created_by"], "accepted_at": accepted,
        "accepted_hour": accepted.astimezone(timezone).hour,
        "dispatched": fields.get("disposition") == Disposition.DISPATCH.value,
        "respond_by": utc(case["respond_by"]), "first_response_at": None, "finish_by": utc(case["finish_by"]),
        "completed_at": None, "routing_suggested": suggested, "routing_overridden": overridden,
        "handling_seconds": handling_seconds(payload), "callback_result": None,
    }
    departments = [{"case_id": case["id"], "department_id": d, "operator_id": case["created_by"],
                    "accepted_at": accepted, "returned": False} for d in _departments(fields)]
    return row, departments


def add_created(session: Session, case: Case, payload: dict[str, Any], timezone: ZoneInfo) -> None:
    """The projection of one new case (the caller's transaction holds the case row)."""
    row, departments = created_rows(_case_dict(case), payload, timezone)
    session.add(CaseKpi(**row))
    session.add_all(CaseKpiDepartment(**d) for d in departments)


def _case_dict(case: Case) -> dict[str, Any]:
    return {"id": case.id, "created_by": case.created_by, "fields": case.fields, "created_at": case.created_at,
            "received_at": case.received_at, "respond_by": case.respond_by, "finish_by": case.finish_by}


def on_event(session: Session, case: Case, event: CaseEvent) -> None:
    """Fold one server-side event into the case's projection (same transaction as the event)."""
    row = session.get(CaseKpi, case.id)
    at = utc(event.recorded_at)
    if row is None or at is None:
        return
    apply(session, row, event.kind, event.payload or {}, at)


def apply(session: Session, row: CaseKpi, kind: str, payload: dict[str, Any], at: datetime) -> None:
    if kind in RESPONSES and row.first_response_at is None:
        row.first_response_at = at
    if kind == EXTENDED:
        row.finish_by = utc(payload.get("new_finish_by")) or row.finish_by
    elif kind == COMPLETED and row.completed_at is None:
        row.completed_at = at
    elif kind == RETURNED and isinstance(payload.get("department_id"), str):
        _department(session, row, payload["department_id"]).returned = True
    elif kind == REDISPATCHED and isinstance(payload.get("to_department"), str):
        _department(session, row, payload["to_department"])
    elif kind == CALLBACK and CallbackResult.parse(payload.get("result")) is not None:
        row.callback_result = _callback_result(row.callback_result, payload)
    elif kind == CORRECTED and isinstance(payload.get("fields"), dict):
        fields = payload["fields"]
        row.dispatched = fields.get("disposition") == Disposition.DISPATCH.value
        for department in _departments(fields):
            _department(session, row, department)
        if "routing" in payload:
            row.routing_suggested, row.routing_overridden = routing_flags(payload["routing"])


def _callback_result(current: str | None, payload: dict[str, Any]) -> str | None:
    """The result 满意率 counts for the case: the citizen's last stated opinion. 无法联系 with attempts left is no
    result yet; a final 无法联系 counts only when the citizen never said anything (it never replaces an earlier
    满意/不满意 from before a 重办)."""
    result = str(payload["result"])
    if result != CallbackResult.UNREACHABLE.value:
        return result
    if payload.get("final") is False or current not in (None, CallbackResult.UNREACHABLE.value):
        return current
    return result


def _department(session: Session, row: CaseKpi, department_id: str) -> CaseKpiDepartment:
    found = session.get(CaseKpiDepartment, (row.case_id, department_id))
    if found is None:
        found = CaseKpiDepartment(case_id=row.case_id, department_id=department_id, operator_id=row.operator_id,
                                  accepted_at=row.accepted_at, returned=False)
        session.add(found)
    return found


def rebuild(session: Session, timezone: ZoneInfo, *, batch: int = 500) -> int:
    """Fold the whole history of every case without a projection row (cases stored before migration 0012_kpi);
    returns how many were added."""
    added = 0
    missing = select(Case).where(~Case.id.in_(select(CaseKpi.case_id)))
    while cases := list(session.scalars(missing.limit(batch))):
        for case in cases:
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                     .order_by(CaseEvent.seq)).all()
            _rebuild_one(session, case, events, timezone)
            added += 1
        session.flush()
    return added


def _rebuild_one(session: Session, case: Case, events: Iterable[CaseEvent], timezone: ZoneInfo) -> None:
    history = list(events)
    created = next((e for e in history if e.kind == CREATED), None)
    payload = created.payload if created is not None else {}
    row_values, departments = created_rows(_case_dict(case), payload or {}, timezone)
    row = CaseKpi(**row_values)
    session.add(row)
    session.add_all(CaseKpiDepartment(**d) for d in departments)
    session.flush()
    for event in history:
        at = utc(event.recorded_at)
        if event.kind != CREATED and at is not None:
            apply(session, row, event.kind, event.payload or {}, at)
    session.flush()

"""The dispatch side: departments sign (签收), return (退单), extend (延期) and complete (办结) cases.

The API and `central-server dept act` both call `act`; each action appends one event that the case's seat pulls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from central_server.db.models import Case
from central_server.services import callbacks
from central_server.services.callback_config import CallbackSettings, packaged_settings
from central_server.services.case_history import append_event
from contract.enums import CaseStatus
from contract.events import COMPLETED, EXTENDED, RETURNED, SIGNED

_DISPATCHED, _SIGNED = CaseStatus.DISPATCHED.value, CaseStatus.SIGNED.value

Action = Literal["sign", "return", "extend", "complete"]
ACTIONS: tuple[Action, ...] = ("sign", "return", "extend", "complete")


@dataclass(frozen=True)
class Rule:
    kind: str  # the event kind appended
    allowed_from: frozenset[str]
    to_status: str | None  # None: the status does not change
    label: str


RULES: dict[str, Rule] = {
    "sign": Rule(SIGNED, frozenset({_DISPATCHED}), _SIGNED, "签收"),
    "return": Rule(RETURNED, frozenset({_DISPATCHED, _SIGNED}), CaseStatus.RETURNED.value, "退单"),
    # An extension keeps the case's status on the server; the event says which status that is.
    "extend": Rule(EXTENDED, frozenset({_DISPATCHED, _SIGNED}), None, "延期"),
    "complete": Rule(COMPLETED, frozenset({_SIGNED}), CaseStatus.CLOSED.value, "办结"),
}


@dataclass(frozen=True)
class ActionOutcome:
    case_id: str
    number: str
    status: str
    finish_by: str
    event_id: str
    event_seq: int
    kind: str
    change_id: int


def act(
    session: Session, *, case_number: str, action: str, department_id: str | None, reason: str | None,
    new_finish_by: datetime | None, acted_by: str, departments: dict[str, str], timezone: ZoneInfo,
    callback: CallbackSettings | None = None,
) -> ActionOutcome:
    """Apply one department action in one transaction and commit; raises NotFound/Invalid/Forbidden/Conflict.
    办结 also makes the case due for a callback (回访) after `callback.delay` (default: the packaged
    resources/callbacks.toml)."""
    rule = RULES.get(action)
    if rule is None:
        raise Invalid(f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}", code="unknown_action")
    reason = (reason or "").strip() or None
    if action in ("return", "extend") and reason is None:
        raise Invalid(f"{rule.label} ({action}) needs a reason", code="reason_required")
    if action == "extend" and new_finish_by is None:
        raise Invalid("延期 (extend) needs new_finish_by, the new finish deadline", code="new_finish_by_required")
    case = session.scalars(select(Case).where(Case.number == case_number).with_for_update()).one_or_none()
    if case is None:
        raise NotFound(f"no case numbered {case_number}", code="case_not_found")
    department_id = department_id or case.lead_department
    if department_id not in departments:
        raise Invalid(f"unknown department {department_id!r}", code="unknown_department")
    cooperating = (case.fields or {}).get("cooperating_departments")
    assigned = {case.lead_department, *(d for d in cooperating or [] if isinstance(d, str))}
    if department_id not in assigned:
        raise Forbidden(f"department {department_id} is not assigned to case {case_number}", code="not_assigned")
    if case.status not in rule.allowed_from:
        raise Conflict(f"case {case_number} is {case.status}; it cannot be handled with {rule.label} ({action}) now",
                       code="invalid_transition")
    payload: dict[str, object] = {"department_id": department_id, "acted_by": acted_by}
    if reason is not None:
        payload["reason"] = reason
    if action == "extend":
        assert new_finish_by is not None
        when = _new_deadline(new_finish_by, case.finish_by, timezone)
        payload["previous_finish_by"] = case.finish_by
        payload["new_finish_by"] = when
        case.finish_by = when
    if rule.to_status is not None:
        case.status = rule.to_status
    payload["status"] = case.status
    event = append_event(session, case, kind=rule.kind, payload=payload, actor_id=department_id)
    if rule.kind == COMPLETED:
        callbacks.schedule(session, case, callback or packaged_settings(), callbacks.clock())
    session.commit()
    assert event.change_id is not None
    return ActionOutcome(case.id, case.number, case.status, case.finish_by, event.id, event.seq, event.kind,
                         event.change_id)


def _new_deadline(new: datetime, current: str, timezone: ZoneInfo) -> str:
    """ISO text of the new deadline (naive times are the city's local time); it must be later than now."""
    if new.tzinfo is None:
        new = new.replace(tzinfo=timezone)
    if new <= datetime.now(UTC):
        raise Invalid("new_finish_by must be in the future", code="invalid_deadline")
    try:
        old = datetime.fromisoformat(current) if current else None
    except ValueError:
        old = None
    if old is not None and old.tzinfo is not None and new <= old:
        raise Invalid(f"new_finish_by must be later than the current deadline {current}", code="invalid_deadline")
    return new.isoformat(timespec="seconds")

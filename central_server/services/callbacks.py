"""Return visits (回访): a case becomes due for a callback a while after its department reports 办结
(resources/callbacks.toml); an operator claims it (one at a time, the claim lapses), calls the citizen and records
the result as a `callback` event. 无法联系 is retried until the attempts are used up; 不满意 reopens the case to its
lead department (重办, a `reopened` event with a new finish deadline), whose next 办结 makes it due again.

The state lives in the `callbacks` table rather than being derived from events: claims and retry times are
operational facts no event records, and the queue is an indexed read instead of a fold over every history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Invalid, NotFound
from central_server.db.models import Callback, Case, CaseEvent
from central_server.services import audit
from central_server.services.callback_config import CallbackSettings
from central_server.services.case_history import append_event
from central_server.services.lead_rows import mask_text
from contract.city.model import City
from contract.deadlines import compute_deadlines
from contract.enums import CallbackResult, CaseStatus, SpecialNeed
from contract.events import CALLBACK, COMPLETED, REOPENED
from contract.phone import mask_phone

MAX_ROWS = 200


def _utcnow() -> datetime:
    return datetime.now(UTC)


# The service's clock: tests running the real server in-process set it to move time forward.
clock: Callable[[], datetime] = _utcnow


def _aware(when: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def schedule(session: Session, case: Case, settings: CallbackSettings, now: datetime) -> bool:
    """After 办结 (same transaction): the case is due for a callback after the delay, with fresh attempts; a citizen
    who left no number (无号码) cannot be called back and gets none."""
    row = session.get(Callback, case.id)
    if not _phone(case.fields or {}):
        if row is not None:
            row.done = True
        return False
    needs = bool((case.fields or {}).get("special_needs"))
    if row is None:
        row = Callback(case_id=case.id)
        session.add(row)
    row.due_at, row.special_needs, row.attempts, row.done = now + settings.delay, needs, 0, False
    row.claimed_by = row.claim_until = None
    return True


@dataclass(frozen=True)
class QueueRow:
    number: str
    category: str
    special_needs: list[str]  # labels
    due_at: str
    phone: str  # masked
    content: str  # digit runs masked
    department: str  # the lead department's name
    reply: str  # what the department said at 办结
    attempts: int
    claimed_by: str | None
    claim_until: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _reply(session: Session, case_id: str) -> str:
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == COMPLETED)
                            .order_by(CaseEvent.seq.desc()).limit(1)).first()
    return mask_text(str((event.payload or {}).get("reason") or "")) if event is not None else ""


def _labels(fields: dict[str, Any]) -> list[str]:
    out = []
    for code in fields.get("special_needs") or []:
        need = SpecialNeed.parse(code)
        out.append(need.label if need is not None else str(code))
    return out


def queue(session: Session, now: datetime, departments: dict[str, str]) -> list[QueueRow]:
    """Due callbacks: special-needs citizens first, then the oldest due; claimed ones included (with who)."""
    rows = session.execute(
        select(Callback, Case).join(Case, Case.id == Callback.case_id)
        .where(Callback.done.is_(False), Callback.due_at <= now)
        .order_by(Callback.special_needs.desc(), Callback.due_at, Case.number).limit(MAX_ROWS)).all()
    out = []
    for cb, case in rows:
        fields = case.fields or {}
        until = _aware(cb.claim_until)
        held = cb.claimed_by is not None and until is not None and until > now
        out.append(QueueRow(
            number=case.number, category=str(fields.get("category") or ""), special_needs=_labels(fields),
            due_at=_aware(cb.due_at).isoformat(),  # type: ignore[union-attr]
            phone=mask_phone(_phone(fields)), content=mask_text(str(fields.get("content") or "")),
            department=departments.get(case.lead_department, case.lead_department),
            reply=_reply(session, case.id), attempts=cb.attempts,
            claimed_by=cb.claimed_by if held else None, claim_until=until.isoformat() if held and until else None))
    return out


def _phone(fields: dict[str, Any]) -> str:
    """The number to call back: the callback phone when the citizen gave one."""
    return str(fields.get("callback_phone") or fields.get("phone") or "")


def _locked(session: Session, number: str, now: datetime) -> tuple[Case, Callback]:
    case = session.scalars(select(Case).where(Case.number == number).with_for_update()).one_or_none()
    if case is None:
        raise NotFound(f"no case numbered {number}", code="case_not_found")
    row = session.scalars(select(Callback).where(Callback.case_id == case.id).with_for_update()).one_or_none()
    if row is None or row.done or _aware(row.due_at) > now:  # type: ignore[operator]
        raise Conflict(f"case {number} is not due for a callback", code="callback_not_due")
    return case, row


def _holds(row: Callback, user_id: str, now: datetime) -> bool:
    until = _aware(row.claim_until)
    return row.claimed_by == user_id and until is not None and until > now


def claim(session: Session, *, number: str, user_id: str, settings: CallbackSettings, now: datetime) -> datetime:
    """Take the callback for `user_id` (or renew their claim); 409 `callback_claimed` while another holds it."""
    _case, row = _locked(session, number, now)
    until = _aware(row.claim_until)
    if row.claimed_by not in (None, user_id) and until is not None and until > now:
        raise Conflict(f"another operator ({row.claimed_by}) is calling this citizen", code="callback_claimed")
    row.claimed_by, row.claim_until = user_id, now + settings.claim_for
    session.commit()
    return now + settings.claim_for


def reveal(session: Session, *, number: str, user_id: str, now: datetime, address: str | None) -> str:
    """The full number to call, for the operator holding the claim only; audited (never the number itself)."""
    case, row = _locked(session, number, now)
    if not _holds(row, user_id, now):
        raise Conflict("claim the callback before revealing the number", code="callback_not_claimed")
    audit.record(session, "callback_phone_revealed", user_id=user_id, address=address, detail=f"case {number}")
    session.commit()
    return _phone(case.fields or {})


@dataclass(frozen=True)
class Recorded:
    event_id: str
    final: bool  # False: unreachable with attempts left (due again at `due_at`)
    status: str
    due_at: str | None
    finish_by: str | None


def record_result(session: Session, *, number: str, user_id: str, result: str, note: str,
                  settings: CallbackSettings, city: City, now: datetime) -> Recorded:
    """Append the `callback` event (and `reopened` after 不满意) in one transaction and commit."""
    parsed = CallbackResult.parse(result)
    if parsed is None:
        raise Invalid(f"unknown result {result!r}", code="invalid_result")
    note = note.strip()
    if parsed is CallbackResult.DISSATISFIED and len(note) < 2:
        raise Invalid("不满意 needs the citizen's reason in the note", code="reason_required")
    case, row = _locked(session, number, now)
    if not _holds(row, user_id, now):
        raise Conflict("claim the callback before recording its result", code="callback_not_claimed")
    payload: dict[str, Any] = {"result": parsed.value, "note": note}
    final = True
    if parsed is CallbackResult.UNREACHABLE:
        row.attempts += 1
        final = row.attempts >= settings.attempts
        payload.update(attempt=row.attempts, final=final)
    event = append_event(session, case, kind=CALLBACK, payload=payload, actor_id=user_id, at=now)
    row.claimed_by = row.claim_until = None
    finish_by = None
    if not final:
        row.due_at = now + settings.retry_after
    else:
        row.done = True
    if parsed is CallbackResult.DISSATISFIED:
        fields = case.fields or {}
        finish_by = compute_deadlines(city.deadline_rules, category=str(fields.get("category") or ""),
                                      urgency=str(fields.get("urgency") or "normal"),
                                      accepted_at=now).finish_by.isoformat(timespec="seconds")
        session.flush()  # the callback event's seq comes first
        case.status, case.finish_by = CaseStatus.DISPATCHED.value, finish_by
        append_event(session, case, kind=REOPENED, actor_id=user_id, at=now,
                     payload={"reason": note, "callback_event_id": event.id, "new_finish_by": finish_by,
                              "status": case.status})
    session.commit()
    return Recorded(event.id, final, case.status, None if final else _aware(row.due_at).isoformat(),  # type: ignore[union-attr]
                    finish_by)



def schedule_unscheduled(session: Session, settings: CallbackSettings) -> int:
    """Give every case a department completed (办结, its last 办结 without a callback after it) and that has no
    callback row its callback, due `settings.delay` after that 办结: cases written without `dispatch.act` (the demo
    shift). Returns how many; the caller commits."""
    pending = select(Case).where(Case.status == CaseStatus.CLOSED.value,
                                 ~Case.id.in_(select(Callback.case_id)))
    added = 0
    for case in session.scalars(pending).all():
        last = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                       CaseEvent.kind.in_((COMPLETED, CALLBACK)))
                               .order_by(CaseEvent.seq.desc()).limit(1)).first()
        completed_at = _aware(datetime.fromisoformat(last.recorded_at)) if last and last.kind == COMPLETED else None
        if completed_at is not None and schedule(session, case, settings, completed_at):
            added += 1
    return added

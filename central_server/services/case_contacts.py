"""A seat's "case.contact" mutation: a citizen contacted the hotline again about an existing case (重复来电) or urged
it on (催办). Any seat may record one on any open case of the city (the citizen calls whichever seat answers);
the event goes through case_history.append_event like every server-side event, so the department's pull and the
KPI projection see it. Repeats past resources/lead/repeats.toml's threshold raise 督办 once, in the same
transaction.

The event's time is the server's: a seat's clock is not trusted for the 30-day count."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.config import Settings, resources_dir
from central_server.db.models import Case, CaseEvent, Seat
from central_server.services.case_history import append_event
from central_server.services.cases import CASE_NOT_FOUND, CONFLICT, Rejected
from central_server.services.hotspot_assign import RESOURCES_KEY
from central_server.services.practice_guard import PRACTICE_NUMBER, practice_rejection_reason
from contract.case_contact import ContactProblem, parse_contact
from contract.case_number import is_practice_number
from contract.enums import CaseStatus
from contract.events import REPEAT_CALL, SUPERVISED

CASE_CLOSED = "case_closed"  # a contact about a case already closed (办结): it is a new case, or the callback's
AUTO_ACTOR = "system"  # who raised the automatic 督办
AUTO_SOURCE = "repeats"  # the supervised event's `source`: told apart from a team lead's 督办
FILE = Path("lead") / "repeats.toml"


@dataclass(frozen=True)
class RepeatRule:
    supervise_after: int = 3
    window_days: int = 30


@lru_cache(maxsize=8)
def load_repeat_rule(resources: Path) -> RepeatRule:
    """<resources>/lead/repeats.toml; a missing file gives the defaults, a broken one a ValueError naming it."""
    path = resources / FILE
    if not path.exists():
        return RepeatRule()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("supervision", {})
        after, days = int(table.get("supervise_after", 3)), int(table.get("window_days", 30))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is broken: {exc}") from exc
    if not (1 <= after <= 1000 and 1 <= days <= 365):
        raise ValueError(f"{path}: supervise_after must be 1..1000 and window_days 1..365")
    return RepeatRule(after, days)


def _rule(session: Session) -> RepeatRule:
    path = session.info.get(RESOURCES_KEY)
    return load_repeat_rule(Path(path) if path else resources_dir(Settings()))


def apply_case_contact(session: Session, *, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any]
                       ) -> CaseEvent:
    """Append the 重复来电 / 催办 (inside the caller's savepoint); raises Rejected. Returns the event."""
    try:
        contact = parse_contact(args)
    except ContactProblem as exc:
        raise Rejected(f"重复来电/催办的数据格式不正确（{exc.where}），中心未接受。请升级本席位程序或联系系统管理员。"
                       ) from exc
    if is_practice_number(contact.case_number):
        raise Rejected(practice_rejection_reason(contact.case_number), PRACTICE_NUMBER)
    if contact.case_number != entity_id:
        raise Rejected("重复来电/催办的变更标识与工单号不一致，中心未接受。请联系系统管理员。")
    case = session.scalars(select(Case).where(Case.number == contact.case_number).with_for_update()).one_or_none()
    if case is None:
        raise Rejected(f"中心没有工单 {contact.case_number}，{_words(contact.kind)}未被接受。请核对工单号。",
                       CASE_NOT_FOUND)
    if case.status == CaseStatus.CLOSED.value:
        raise Rejected(f"工单 {case.number} 已办结，{_words(contact.kind)}未被接受。市民的新诉求请重新受理。",
                       CASE_CLOSED)
    if session.get(CaseEvent, contact.event_id) is not None:
        raise Rejected(f"工单 {case.number} 的这条{_words(contact.kind)}与中心已有的事件标识相同，中心未接受。", CONFLICT)
    event = append_event(session, case, kind=contact.kind, payload=contact.payload, actor_id=operator_id)
    event.id = contact.event_id  # the seat's id: a re-sent event is recognised by it
    if contact.kind == REPEAT_CALL:
        _supervise_repeats(session, case, _rule(session))
    session.flush()
    return event


def _words(kind: str) -> str:
    return "重复来电" if kind == REPEAT_CALL else "催办"


def _supervise_repeats(session: Session, case: Case, rule: RepeatRule) -> None:
    """督办 once, when the repeats within the window reach the threshold (the pending event counted in)."""
    session.flush()
    rows = session.execute(select(CaseEvent.kind, CaseEvent.payload, CaseEvent.recorded_at).where(
        CaseEvent.case_id == case.id, CaseEvent.kind.in_((REPEAT_CALL, SUPERVISED)))).all()
    if any(kind == SUPERVISED and (payload or {}).get("source") == AUTO_SOURCE for kind, payload, _ in rows):
        return
    since = datetime.now(UTC) - timedelta(days=rule.window_days)
    repeats = sum(1 for kind, _, at in rows if kind == REPEAT_CALL and _time(at) >= since)
    if repeats >= rule.supervise_after:
        append_event(session, case, kind=SUPERVISED, actor_id=AUTO_ACTOR, payload={
            "reason": f"重复来电 {repeats} 次，自动督办", "source": AUTO_SOURCE, "repeats": repeats})


def _time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return at if at.tzinfo else at.replace(tzinfo=UTC)

"""A caller's earlier cases from every seat, matched by the normalised phone (the screen pop's history).

Open cases first (the ones the caller may be calling about), then closed ones; each group newest first. Reads the
phone index (models.CallerPhone, migration 0010); nothing here logs or audits the phone: the operator has the
caller on the line and sees only what the caller told the city before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from central_server.db.models import CallerPhone, Case, CaseEvent
from contract.enums import CaseStatus

HISTORY_LIMIT = 50
LAST_KINDS = 3  # the last few events' kinds shown per case


@dataclass(frozen=True)
class EarlierCase:
    number: str
    accepted_at: str
    category: str
    status: str
    respond_by: str
    finish_by: str
    special_needs: tuple[str, ...]
    last_events: tuple[str, ...]  # kinds, newest first


@dataclass(frozen=True)
class CallerHistory:
    cases: list[EarlierCase]
    open_count: int
    truncated: bool


def caller_history(session: Session, phone: str, *, limit: int = HISTORY_LIMIT) -> CallerHistory:
    """The cases of `phone` (already normalised: contract.phone.normalize_phone), open first, then newest first."""
    closed_last = case((Case.status == CaseStatus.CLOSED.value, 1), else_=0)
    rows = session.execute(
        select(Case.id, Case.number, Case.created_at, Case.received_at, Case.status, Case.fields,
               Case.respond_by, Case.finish_by)
        .where(CallerPhone() == phone)
        .order_by(closed_last, Case.received_at.desc(), Case.number.desc())
        .limit(limit + 1)).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    kinds = _last_kinds(session, [r.id for r in rows])
    cases = [EarlierCase(
        number=r.number, accepted_at=r.created_at or _iso(r.received_at),
        category=str((r.fields or {}).get("category") or ""), status=r.status, respond_by=r.respond_by,
        finish_by=r.finish_by, special_needs=tuple(str(n) for n in (r.fields or {}).get("special_needs") or ()),
        last_events=tuple(kinds.get(r.id, ()))) for r in rows]
    return CallerHistory(cases=cases, open_count=sum(c.status != CaseStatus.CLOSED.value for c in cases),
                         truncated=truncated)


def _last_kinds(session: Session, case_ids: list[str]) -> dict[str, list[str]]:
    """Per case, the kinds of its last LAST_KINDS events, newest first (one statement for the page)."""
    if not case_ids:
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    stmt = (select(CaseEvent.case_id, CaseEvent.kind).where(CaseEvent.case_id.in_(case_ids))
            .order_by(CaseEvent.case_id, CaseEvent.seq.desc()))
    for case_id, kind in session.execute(stmt):
        if len(out[case_id]) < LAST_KINDS:
            out[case_id].append(kind)
    return out


def _iso(when: datetime) -> str:
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")

"""Read side for "my cases": pages of masked rows, counts, one case with its history, outbox summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Select, and_, case, false, func, or_, select

from contract.case_fields import MAX_LEN
from contract.enums import CaseStatus
from contract.events import RETURNED_FOR_CORRECTION, CaseEvent, CaseState, derive_state
from contract.phone import mask_name, mask_phone
from operator_app.store import schema
from operator_app.store.database import Store

SCOPES = ("shift", "today", "all")
# The longest search text worth running: no case's content is longer. Even all in 4-byte characters, with every
# wildcard escaped, its LIKE pattern stays under SQLite's 50,000-byte limit. The desk's search box takes no more.
SEARCH_MAX_CHARS = MAX_LEN["content"]


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    """Which cases "my cases" shows; `shift_start` is the UTC ISO time of the current login."""

    operator_id: str | None = None
    scope: str = "all"
    shift_start: str = ""
    timezone: str = "Asia/Shanghai"
    status: str = ""
    text: str = ""


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list, personal data already masked."""

    id: str
    number: str
    created_at: str
    status: str
    category: str
    district: str
    urgency: str
    special_needs: str
    caller: str
    phone: str
    finish_by: str
    synced: bool
    reason: str = ""  # a case sent back for correction (退回修改): the team lead's reason


def _conditions(flt: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    c = schema.cases.c
    conds: list[ColumnElement[bool]] = []
    if flt.operator_id:
        conds.append(c.created_by == flt.operator_id)
    if flt.scope == "shift" and flt.shift_start:
        conds.append(c.created_at >= flt.shift_start)
    elif flt.scope == "today":
        local = now.astimezone(ZoneInfo(flt.timezone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        conds.append(c.created_at >= midnight.astimezone(UTC).isoformat(timespec="milliseconds"))
    if flt.status:
        conds.append(c.status == flt.status)
    text = flt.text.strip()
    if len(text) > SEARCH_MAX_CHARS:
        conds.append(false())  # longer than any case's content: nothing matches (and SQLite's LIKE would refuse it)
    elif text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        options = [c.number.like(pattern, escape="\\"), c.content.like(pattern, escape="\\")]
        if text.isdigit() and len(text) >= 4:
            options.append(c.phone.like(pattern, escape="\\"))
        conds.append(or_(*options))
    return conds


def _select(flt: CaseFilter, now: datetime) -> Select[tuple[object, ...]]:
    c = schema.cases.c
    stmt = select(c.id, c.number, c.created_at, c.status, c.category, c.district, c.urgency, c.special_needs,
                  c.caller_name, c.confidential, c.phone, c.finish_by, c.synced)
    conds = _conditions(flt, now)
    return stmt.where(and_(*conds)) if conds else stmt


def list_cases(store: Store, flt: CaseFilter, *, offset: int = 0, limit: int = 200,
               now: datetime | None = None) -> list[CaseRow]:
    """Newest first; personal data masked. Reads only; call from a worker thread in the UI."""
    stmt = _select(flt, now or datetime.now(UTC))
    stmt = stmt.order_by(schema.cases.c.created_at.desc(), schema.cases.c.number.desc()).offset(offset).limit(limit)
    with store.read() as conn:
        rows = conn.execute(stmt).all()
        reasons = _send_back_reasons(conn, [r.id for r in rows if r.status == CaseStatus.CORRECTING.value])
    return [
        CaseRow(
            id=r.id, number=r.number, created_at=r.created_at, status=r.status, category=r.category,
            district=r.district, urgency=r.urgency, special_needs=r.special_needs,
            caller="（保密）" if r.confidential else mask_name(r.caller_name),
            phone=mask_phone(r.phone), finish_by=r.finish_by, synced=bool(r.synced), reason=reasons.get(r.id, ""),
        )
        for r in rows
    ]


def _send_back_reasons(conn: Connection, case_ids: list[str]) -> dict[str, str]:
    """The reason of each case's latest send-back (the few cases of a page that are sent back)."""
    if not case_ids:
        return {}
    e = schema.case_events.c
    rows = conn.execute(select(e.case_id, e.payload_json).where(
        e.case_id.in_(case_ids), e.kind == RETURNED_FOR_CORRECTION).order_by(e.case_id, e.seq))
    return {case_id: str(json.loads(payload).get("reason") or "") for case_id, payload in rows}


def count_cases(store: Store, flt: CaseFilter, *, now: datetime | None = None) -> int:
    """How many cases match the filter."""
    conds = _conditions(flt, now or datetime.now(UTC))
    stmt = select(func.count()).select_from(schema.cases)
    if conds:
        stmt = stmt.where(and_(*conds))
    with store.read() as conn:
        return int(conn.execute(stmt).scalar_one())


@dataclass(frozen=True)
class CaseDetail:
    state: CaseState
    events: list[CaseEvent]
    synced: bool


def get_case(store: Store, case_id: str) -> CaseDetail | None:
    """One case: its state derived from its events, and the events themselves, oldest first."""
    e = schema.case_events.c
    with store.read() as conn:
        rows = conn.execute(select(schema.case_events).where(e.case_id == case_id).order_by(e.seq)).all()
        synced = conn.execute(select(schema.cases.c.synced).where(schema.cases.c.id == case_id)).scalar()
    if not rows:
        return None
    events = [CaseEvent(r.id, r.case_id, r.seq, r.kind, json.loads(r.payload_json), r.operator_id, r.recorded_at)
              for r in rows]
    return CaseDetail(derive_state(events), events, bool(synced))


def find_case_id(store: Store, number: str) -> str | None:
    """The id of the case with this number, if this seat has it."""
    with store.read() as conn:
        return conn.execute(select(schema.cases.c.id).where(schema.cases.c.number == number)).scalar()


@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    rejected: int
    oldest_pending_at: str | None


def outbox_summary(store: Store) -> OutboxSummary:
    """Counts of queued and rejected mutations, and when the oldest queued one was made."""
    o = schema.outbox.c
    with store.read() as conn:
        rows: dict[str, int] = {s: n for s, n in conn.execute(select(o.state, func.count()).group_by(o.state))}
        oldest = conn.execute(select(func.min(o.created_at)).where(o.state == "pending")).scalar()
    return OutboxSummary(int(rows.get("pending", 0)), int(rows.get("rejected", 0)), oldest)


@dataclass(frozen=True)
class CallerCase:
    """One earlier case of a caller, for the screen pop (from the server, or this seat's own when offline)."""

    number: str
    accepted_at: str
    category: str
    status: str
    respond_by: str
    finish_by: str
    special_needs: tuple[str, ...]
    last_events: tuple[str, ...] = ()  # event kinds, newest first


CALLER_HISTORY_LIMIT = 50
_LAST_KINDS = 3


def cases_by_phone(store: Store, phone: str, *, limit: int = CALLER_HISTORY_LIMIT) -> list[CallerCase]:
    """This seat's cases from `phone` (normalised), open first, then newest first: the screen pop's history when
    the server cannot be asked. Reads only; call from a worker thread in the UI."""
    if not phone:
        return []
    c = schema.cases.c
    closed_last = case((c.status == CaseStatus.CLOSED.value, 1), else_=0)
    stmt = (select(c.id, c.number, c.created_at, c.category, c.status, c.respond_by, c.finish_by, c.special_needs)
            .where(c.phone == phone).order_by(closed_last, c.created_at.desc(), c.number.desc()).limit(limit))
    e = schema.case_events.c
    with store.read() as conn:
        rows = conn.execute(stmt).all()
        kinds: dict[str, list[str]] = {}
        if rows:
            for case_id, kind in conn.execute(select(e.case_id, e.kind).where(
                    e.case_id.in_([r.id for r in rows])).order_by(e.case_id, e.seq.desc())):
                found = kinds.setdefault(case_id, [])
                if len(found) < _LAST_KINDS:
                    found.append(kind)
    return [CallerCase(number=r.number, accepted_at=r.created_at, category=r.category, status=r.status,
                       respond_by=r.respond_by, finish_by=r.finish_by,
                       special_needs=tuple(n for n in r.special_needs.split(",") if n),
                       last_events=tuple(kinds.get(r.id, ()))) for r in rows]


def time_left(finish_by: str, now: datetime) -> timedelta | None:
    """Time until the finish deadline (negative when overdue); None for cases without one."""
    if not finish_by:
        return None
    return datetime.fromisoformat(finish_by) - now

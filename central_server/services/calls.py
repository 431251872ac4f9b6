"""Call records from the telephony system: stored once per call_id (a re-sent call is a duplicate, never a second
call), checked against the server's seats and people, and read back for a team lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from central_server.core.errors import NotFound
from central_server.db.models import CallRecord, Seat, User


@dataclass(frozen=True)
class Call:
    """One call as the telephony system reports it (times with their offsets)."""

    call_id: str
    offered_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    wait_seconds: float
    abandoned: bool
    seat_code: str | None = None
    operator_id: str | None = None
    caller_masked: str | None = None


@dataclass(frozen=True)
class Stored:
    stored: int
    duplicates: int


def store_calls(session: Session, calls: Sequence[Call], *, now: datetime | None = None) -> Stored:
    """Store the calls whose call_id is new and commit; raises NotFound (nothing stored) when a call names a seat
    code or an operator the server does not know."""
    _check_known(session, calls)
    first: dict[str, Call] = {}
    for call in calls:
        first.setdefault(call.call_id, call)
    held = set(session.scalars(select(CallRecord.call_id).where(CallRecord.call_id.in_(list(first)))))
    received = now or datetime.now(UTC)
    rows = [_row(call, received) for call_id, call in first.items() if call_id not in held]
    if rows:
        session.execute(_insert_new(session), rows)
    session.commit()
    return Stored(stored=len(rows), duplicates=len(calls) - len(rows))


def _insert_new(session: Session) -> Any:
    """INSERT that leaves a call_id stored meanwhile by a concurrent post alone."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(CallRecord).on_conflict_do_nothing(index_elements=["call_id"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(CallRecord).on_conflict_do_nothing(index_elements=["call_id"])
    return insert(CallRecord)


def _row(call: Call, received: datetime) -> dict[str, Any]:
    return {
        "call_id": call.call_id, "offered_at": call.offered_at.astimezone(UTC),
        "answered_at": call.answered_at.astimezone(UTC) if call.answered_at else None,
        "ended_at": call.ended_at.astimezone(UTC), "wait_seconds": float(call.wait_seconds),
        "abandoned": call.abandoned, "seat_code": call.seat_code, "operator_id": call.operator_id,
        "caller_masked": call.caller_masked, "received_at": received,
    }


def _check_known(session: Session, calls: Sequence[Call]) -> None:
    seat_codes = {c.seat_code for c in calls if c.seat_code}
    operators = {c.operator_id for c in calls if c.operator_id}
    if seat_codes:
        known = set(session.scalars(select(Seat.seat_code).where(Seat.seat_code.in_(seat_codes))))
        if unknown := sorted(seat_codes - known):
            raise NotFound(f"unknown seat code(s): {', '.join(unknown[:5])}; nothing was stored",
                           code="unknown_seat")
    if operators:
        known = set(session.scalars(select(User.id).where(User.id.in_(operators))))
        if unknown := sorted(operators - known):
            raise NotFound(f"unknown operator id(s): {', '.join(unknown[:5])}; nothing was stored",
                           code="unknown_operator")


def team_calls(session: Session, members: Sequence[str], start: datetime, end: datetime, *, limit: int
               ) -> tuple[list[CallRecord], bool]:
    """The calls counted for a team in [start, end) (docs/ARCHITECTURE.md "Shift KPIs": answered by a member, or
    abandoned while ringing at a seat the team answered calls at in the range), oldest first."""
    if not members:
        return [], False
    query = (select(CallRecord).where(team_calls_filter(members, start, end))
             .order_by(CallRecord.offered_at, CallRecord.call_id).limit(limit + 1))
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def team_calls_filter(members: Sequence[str], start: datetime, end: datetime) -> Any:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    in_range = (CallRecord.offered_at >= start) & (CallRecord.offered_at < end)
    team_seats = (select(CallRecord.seat_code).where(CallRecord.operator_id.in_(members), in_range,
                                                     CallRecord.seat_code.is_not(None)).distinct())
    return in_range & or_(CallRecord.operator_id.in_(members),
                          CallRecord.operator_id.is_(None) & CallRecord.seat_code.in_(team_seats))

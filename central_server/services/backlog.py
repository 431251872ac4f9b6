"""What each seat has not pushed yet, per operator, as the seat reported it at the end of its last sync pass: the
team lead sees which seats and operators have changes that have not arrived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from central_server.core.errors import Forbidden, Invalid
from central_server.db.models import Seat, SeatBacklog, User
from central_server.services.seats import signed_in_operators


@dataclass(frozen=True)
class Pending:
    operator_id: str
    pending: int
    oldest_pending_at: datetime  # with its offset


def record_backlog(session: Session, seat: Seat, operators: Sequence[Pending], *,
                   now: datetime | None = None) -> None:
    """Replace the seat's report with this one and commit. Only operators who signed in at this seat, each once;
    anything else is refused whole (Forbidden `operator_not_signed_in`, Invalid `duplicate_operator`)."""
    ids = [p.operator_id for p in operators]
    strangers = set(ids) - signed_in_operators(session, seat.id, ids)
    if strangers:
        raise Forbidden(f"{len(strangers)} of the operators reported never signed in at this seat",
                        code="operator_not_signed_in")
    if len(set(ids)) != len(ids):
        raise Invalid("each operator may appear once in a backlog report", code="duplicate_operator")
    at = now or datetime.now(UTC)
    session.execute(delete(SeatBacklog).where(SeatBacklog.seat_id == seat.id))
    if operators:
        session.execute(insert(SeatBacklog), [
            {"seat_id": seat.id, "operator_id": p.operator_id, "pending": p.pending,
             "oldest_pending_at": p.oldest_pending_at.astimezone(UTC), "reported_at": at} for p in operators])
    session.commit()


def team_backlog(session: Session, team: str) -> list[dict[str, Any]]:
    """The latest reports for the operators of `team`, oldest pending change first: [{seat_code, operator_id,
    operator_name, pending, oldest_pending_at, reported_at}] with times as ISO-8601 text with offset (UTC)."""
    if not team:
        return []
    rows = session.execute(
        select(Seat.seat_code, SeatBacklog.operator_id, User.name, SeatBacklog.pending,
               SeatBacklog.oldest_pending_at, SeatBacklog.reported_at)
        .join(Seat, Seat.id == SeatBacklog.seat_id).join(User, User.id == SeatBacklog.operator_id)
        .where(User.team == team)
        .order_by(SeatBacklog.oldest_pending_at, Seat.seat_code, SeatBacklog.operator_id))
    return [{"seat_code": code, "operator_id": operator_id, "operator_name": name, "pending": pending,
             "oldest_pending_at": _iso(oldest), "reported_at": _iso(reported)}
            for code, operator_id, name, pending, oldest, reported in rows]


def _iso(moment: datetime) -> str:
    """SQLite hands back the stored UTC time without its zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()

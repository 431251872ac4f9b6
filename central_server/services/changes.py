"""The one change counter: every change takes its id from it inside the writing transaction."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from central_server.db.models import COUNTER_ROW_ID, ChangeCounter

_counter = cast(Table, ChangeCounter.__table__)


def next_change_id(session: Session) -> int:
    """UPDATE ... SET value = value + 1 RETURNING value.

    The row lock is held until commit, so writers serialise here and change ids follow commit order
    (a SEQUENCE would hand out ids that commit out of order, and a pull could skip one).
    """
    return take_change_ids(session, 1)[0]


def take_change_ids(session: Session, count: int) -> range:
    """`count` consecutive change ids in one UPDATE (same lock as next_change_id)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    stmt = (update(_counter).where(_counter.c.id == COUNTER_ROW_ID)
            .values(value=_counter.c.value + count).returning(_counter.c.value))
    top = int(session.execute(stmt).scalar_one())
    return range(top - count + 1, top + 1)


def stamped_at_commit(session: Session) -> bool:
    """True where the database stamps new case events' change ids at commit (PostgreSQL, migration 0003):
    the writer then inserts them with change_id NULL and never takes the counter's lock itself."""
    return session.get_bind().dialect.name == "postgresql"


def feed_id(change_id: int | None) -> int:
    """The change id of a committed case event (never NULL once committed)."""
    if change_id is None:
        raise RuntimeError("a committed case event has no change id")
    return change_id

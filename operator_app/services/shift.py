"""Login and logout on a seat: who is on it, since when. The outbox is the seat's, never cleared here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, update

from contract.city.model import City, Operator
from operator_app.errors import AuthError
from operator_app.store import schema
from operator_app.store.database import Store, utc_now


@dataclass(frozen=True)
class ShiftSession:
    id: int
    operator: Operator
    login_at: str


def find_operator(city: City, operator_id: str) -> Operator:
    """The roster entry for a work number; AuthError in plain words otherwise."""
    op = city.roster.get(operator_id.strip())
    if op is None:
        raise AuthError(f"工号“{operator_id.strip()}”不在本市话务员名册中")
    return op


def login(store: Store, city: City, *, operator_id: str) -> ShiftSession:
    """Start a shift session on this seat for a roster member; no password is kept anywhere."""
    op = find_operator(city, operator_id)
    at = utc_now()
    with store.write() as conn:
        session_id = conn.execute(
            insert(schema.shift_sessions).values(operator_id=op.id, login_at=at)
        ).inserted_primary_key
    assert session_id is not None
    return ShiftSession(int(session_id[0]), op, at)


def logout(store: Store, session: ShiftSession) -> None:
    """End the session; queued changes stay queued and attributed to this operator."""
    with store.write() as conn:
        conn.execute(
            update(schema.shift_sessions).where(schema.shift_sessions.c.id == session.id).values(logout_at=utc_now())
        )

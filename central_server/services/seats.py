"""Seats: registration (one credential, only its hash kept), who signed in at a seat, and authentication of a
seat's requests.

A seat id and code, once registered, belong to whoever holds the seat's credential. Registering them again (a
new credential: a rotation) needs that credential or an administrator; an administrator's reset
(`central-server seat reset --code S001`) lets the next login register the seat again, for a seat that really
lost its credential. A change a seat pushes may name only an operator who signed in at that seat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import AuthFailed, Conflict, NotFound
from central_server.core.security import credential_matches, hash_credential, new_seat_credential
from central_server.db.models import Seat, SeatSignIn, User
from central_server.services import audit

SEAT_CODE = r"^[A-Z][A-Z0-9]{1,7}$"
UUID_TEXT = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_UUID = re.compile(UUID_TEXT)
RESET = ""  # the credential hash of a seat an administrator reset: matches no credential, open to registration
ADMIN_ROLE = "admin"


def register_seat(session: Session, *, seat_id: str, seat_code: str, user: User, current_credential: str | None,
                  proposed: str | None = None, address: str | None = None) -> str:
    """Register a seat and return its credential (only its hash is kept): the one the seat `proposed` (chosen
    and kept before it asked, so a lost answer costs nothing), else a new one. The registering user is signed
    in at the seat.

    A seat registered before gets a new credential only when the request carries its current one, comes from
    an administrator, or the seat was reset; anything else is a Conflict `seat_taken` (and is audited). A
    different code for a known id, or a code another seat holds, is a Conflict too.
    """
    existing = session.get(Seat, seat_id, with_for_update=True)  # two rotations at once: one after the other
    if existing is not None:
        return _register_again(session, existing, seat_code=seat_code, user=user,
                               current_credential=current_credential, proposed=proposed, address=address)
    if session.scalar(select(Seat.id).where(Seat.seat_code == seat_code)) is not None:
        raise Conflict(f"seat code {seat_code} is already used by another seat", code="seat_code_taken")
    credential = proposed or new_seat_credential()
    now = datetime.now(UTC)
    session.add(Seat(id=seat_id, seat_code=seat_code, credential_hash=hash_credential(credential),
                     registered_by=user.id, registered_at=now, last_applied_seq=0))
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        session.rollback()
        raise Conflict("this seat id or seat code was just registered by another request",
                       code="seat_exists") from exc
    record_sign_in(session, seat_id, user.id, now)
    audit.record(session, audit.SEAT_REGISTERED, user_id=user.id, seat_id=seat_id, address=address,
                 detail=f"code {seat_code}")
    session.commit()
    return credential


def _register_again(session: Session, seat: Seat, *, seat_code: str, user: User, current_credential: str | None,
                    proposed: str | None, address: str | None) -> str:
    if seat.seat_code != seat_code:
        raise Conflict(f"this seat is registered with code {seat.seat_code}, not {seat_code}", code="seat_exists")
    if seat.credential_hash == RESET:
        how = "after an administrator's reset"
    elif current_credential and credential_matches(current_credential, seat.credential_hash):
        how = "with its current credential"
    elif user.role == ADMIN_ROLE:
        how = "by an administrator"
    else:
        audit.record(session, audit.SEAT_TAKEN, user_id=user.id, seat_id=seat.id, address=address,
                     detail=f"code {seat_code}")
        session.commit()
        raise Conflict(f"seat {seat_code} is registered already and this request does not carry its credential; "
                       f"if that seat really lost it, an administrator can reset it "
                       f"(central-server seat reset --code {seat_code})", code="seat_taken")
    credential = proposed or new_seat_credential()
    now = datetime.now(UTC)
    seat.credential_hash = hash_credential(credential)
    seat.registered_by = user.id
    seat.registered_at = now
    record_sign_in(session, seat.id, user.id, now)
    audit.record(session, audit.SEAT_ROTATED, user_id=user.id, seat_id=seat.id, address=address, detail=how)
    session.commit()
    return credential


def reset_seat(session: Session, *, seat_code: str, by: str) -> Seat:
    """An administrator's reset: the seat's credential stops working and the next login registers it again."""
    seat = session.scalar(select(Seat).where(Seat.seat_code == seat_code))
    if seat is None:
        raise NotFound(f"no seat is registered with code {seat_code}", code="seat_not_found")
    seat.credential_hash = RESET
    audit.record(session, audit.SEAT_RESET, seat_id=seat.id, detail=f"code {seat_code} by {by}"[:200])
    session.commit()
    return seat


def sign_in(session: Session, *, seat: Seat, user: User, address: str | None = None) -> datetime:
    """Record that `user` (who logged in with a password) is at `seat` (which proved its credential)."""
    now = datetime.now(UTC)
    record_sign_in(session, seat.id, user.id, now)
    audit.record(session, audit.SIGN_IN, user_id=user.id, seat_id=seat.id, address=address)
    session.commit()
    return now


def record_sign_in(session: Session, seat_id: str, operator_id: str, now: datetime) -> None:
    """Add or refresh the (seat, operator) row in the caller's transaction."""
    row = session.get(SeatSignIn, (seat_id, operator_id))
    if row is not None:
        row.last_at = now
        return
    try:
        with session.begin_nested():
            session.add(SeatSignIn(seat_id=seat_id, operator_id=operator_id, first_at=now, last_at=now))
    except IntegrityError:  # the same sign-in recorded at the same moment by another request
        pass


def signed_in_operators(session: Session, seat_id: str, operators: Iterable[str]) -> set[str]:
    """Those of `operators` who ever signed in at this seat."""
    wanted = set(operators)
    if not wanted:
        return set()
    return set(session.scalars(select(SeatSignIn.operator_id).where(
        SeatSignIn.seat_id == seat_id, SeatSignIn.operator_id.in_(wanted))))


def authenticate_seat(session: Session, *, seat_id: str | None, credential: str | None) -> Seat:
    """The seat named by X-Seat-Id whose X-Seat-Credential matches; raises AuthFailed otherwise."""
    if not seat_id or not credential:
        raise AuthFailed("this request needs the X-Seat-Id and X-Seat-Credential headers", code="seat_auth")
    seat = session.get(Seat, seat_id) if _UUID.match(seat_id) else None
    if seat is None or not credential_matches(credential, seat.credential_hash):
        raise AuthFailed("unknown seat or wrong seat credential", code="seat_auth")
    return seat


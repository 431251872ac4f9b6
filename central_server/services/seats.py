"""Seats: registration (one credential, only its hash kept) and authentication of a seat's requests."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import AuthFailed, Conflict
from central_server.core.security import credential_matches, hash_credential, new_seat_credential
from central_server.db.models import Seat, User

SEAT_CODE = r"^[A-Z][A-Z0-9]{1,7}$"
UUID_TEXT = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_UUID = re.compile(UUID_TEXT)


def register_seat(session: Session, *, seat_id: str, seat_code: str, user: User) -> str:
    """Register a seat and return its credential (shown once; only its hash is kept).

    A seat that registered before and lost its credential (no OS keyring: it lived in memory only) registers
    again under the same id and code after an operator's password login: the credential is rotated and the old
    one stops working. A different code for a known id, or a code another seat holds, is a Conflict.
    """
    existing = session.get(Seat, seat_id)
    if existing is not None:
        if existing.seat_code != seat_code:
            raise Conflict(f"this seat is registered with code {existing.seat_code}, not {seat_code}",
                           code="seat_exists")
        credential = new_seat_credential()
        existing.credential_hash = hash_credential(credential)
        existing.registered_by = user.id
        existing.registered_at = datetime.now(UTC)
        session.commit()
        return credential
    if session.scalar(select(Seat.id).where(Seat.seat_code == seat_code)) is not None:
        raise Conflict(f"seat code {seat_code} is already used by another seat", code="seat_code_taken")
    credential = new_seat_credential()
    session.add(Seat(id=seat_id, seat_code=seat_code, credential_hash=hash_credential(credential),
                     registered_by=user.id, registered_at=datetime.now(UTC), last_applied_seq=0))
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        session.rollback()
        raise Conflict("this seat id or seat code was just registered by another request",
                       code="seat_exists") from exc
    return credential


def authenticate_seat(session: Session, *, seat_id: str | None, credential: str | None) -> Seat:
    """The seat named by X-Seat-Id whose X-Seat-Credential matches; raises AuthFailed otherwise."""
    if not seat_id or not credential:
        raise AuthFailed("this request needs the X-Seat-Id and X-Seat-Credential headers", code="seat_auth")
    seat = session.get(Seat, seat_id) if _UUID.match(seat_id) else None
    if seat is None or not credential_matches(credential, seat.credential_hash):
        raise AuthFailed("unknown seat or wrong seat credential", code="seat_auth")
    return seat

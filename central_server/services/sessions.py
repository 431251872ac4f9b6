"""Sign-in around the password check: throttling, the audit log, refresh tokens revoked at logout."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import AuthFailed
from central_server.core.security import TokenPair, TokenService
from central_server.db.models import RevokedToken, User
from central_server.services import audit, seats, throttle, users


def login(session: Session, tokens: TokenService, rules: throttle.Rules, *, username: str, password: str,
          address: str | None, seat_id: str | None = None, seat_credential: str | None = None
          ) -> tuple[User, TokenPair, bool | None]:
    """TooManyAttempts while the name or address is locked out; AuthFailed for a wrong name or password.

    With a seat's id and credential, the operator is also signed in at that seat in the same transaction: the
    third value says whether it was (None: no seat given; False: that seat's credential is not valid, which
    does not fail the login)."""
    now = datetime.now(UTC)
    throttle.check(session, rules, username=username, address=address, now=now)
    try:
        user, pair = users.login(session, tokens, username=username, password=password)
    except AuthFailed:
        session.rollback()
        locked = throttle.record_failure(session, rules, username=username, address=address, now=now)
        audit.record(session, audit.LOGIN_FAILED, username=username, address=address)
        if locked is not None:
            audit.record(session, audit.LOGIN_LOCKED, username=username, address=address,
                         detail=f"locked out for {locked:g} s")
        session.commit()
        raise
    throttle.record_success(session, rules, username=username)
    signed_in = _sign_in_at_seat(session, user, seat_id, seat_credential)
    audit.record(session, audit.LOGIN, user_id=user.id, username=username, address=address,
                 seat_id=seat_id if signed_in else None)
    session.commit()
    return user, pair, signed_in


def _sign_in_at_seat(session: Session, user: User, seat_id: str | None, credential: str | None) -> bool | None:
    if not seat_id and not credential:
        return None
    try:
        seat = seats.authenticate_seat(session, seat_id=seat_id, credential=credential)
    except AuthFailed:
        return False
    seats.record_sign_in(session, seat.id, user.id, datetime.now(UTC))
    return True


def refresh(session: Session, tokens: TokenService, *, refresh_token: str) -> tuple[User, TokenPair]:
    """A new pair for a refresh token that is valid and was not revoked by a logout."""
    jti = str(tokens.claims(refresh_token, "refresh")["jti"])
    if session.get(RevokedToken, jti) is not None:
        raise AuthFailed("this login was ended by a logout; log in again", code="token_revoked")
    return users.refresh(session, tokens, refresh_token=refresh_token)


def logout(session: Session, tokens: TokenService, *, refresh_token: str, address: str | None) -> None:
    """Revoke the refresh token (its id is kept until it would have expired anyway) and log the logout."""
    claims = tokens.claims(refresh_token, "refresh")
    now = datetime.now(UTC)
    jti, expires = str(claims["jti"]), datetime.fromtimestamp(float(str(claims["exp"])), UTC)
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))  # no longer valid anyway
    if session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, expires_at=expires))
    audit.record(session, audit.LOGOUT, user_id=str(claims["sub"]), address=address)
    try:
        session.commit()
    except IntegrityError:  # the same token logged out twice at once: revoked either way
        session.rollback()

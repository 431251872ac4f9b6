"""Sign-in around the password check: throttling, the audit log, refresh tokens revoked at logout."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import AuthFailed
from central_server.core.security import TokenPair, TokenService
from central_server.db.models import RevokedToken, User
from central_server.services import audit, throttle, users


def login(session: Session, tokens: TokenService, rules: throttle.Rules, *, username: str, password: str,
          address: str | None) -> tuple[User, TokenPair]:
    """TooManyAttempts while the name or address is locked out; AuthFailed for a wrong name or password."""
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
    audit.record(session, audit.LOGIN, user_id=user.id, username=username, address=address)
    session.commit()
    return user, pair


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

"""Users: creation, login, token refresh and the user behind an access token."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import AuthFailed, Conflict, Invalid
from central_server.core.recent_checks import RecentChecks
from central_server.core.security import TokenPair, TokenService, hash_password, needs_rehash, verify_password
from central_server.db.models import User
from contract.roles import INTAKE, ROLE_CODES, roles_with

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
MIN_PASSWORD = 8


def create_user(session: Session, *, username: str, name: str, role: str, password: str, team: str = "") -> User:
    """Add a user (id = username = work number) and commit; raises Invalid or Conflict."""
    if not USERNAME.match(username):
        raise Invalid("a username is 1-16 letters, digits, '_', '.' or '-'", code="invalid_username")
    if role not in ROLE_CODES:
        raise Invalid(f"role must be one of: {', '.join(ROLE_CODES)}", code="invalid_role")
    if not name.strip() or len(name) > 60:
        raise Invalid("a name is 1-60 characters", code="invalid_name")
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters", code="weak_password")
    if len(team) > 32 or team != team.strip():
        raise Invalid("a team name is at most 32 characters, without surrounding spaces", code="invalid_team")
    if session.get(User, username) is not None:
        raise Conflict(f"user {username!r} already exists", code="user_exists")
    user = User(id=username, username=username, name=name.strip(), role=role, team=team,
                password_hash=hash_password(password), active=True, created_at=datetime.now(UTC))
    session.add(user)
    session.commit()
    return user


def login(session: Session, tokens: TokenService, *, username: str, password: str) -> tuple[User, TokenPair]:
    """Check the password (one argon2 verification whether or not the user exists) and issue tokens."""
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        raise AuthFailed("wrong username or password", code="invalid_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user, tokens.issue(user.id)


def refresh(session: Session, tokens: TokenService, *, refresh_token: str) -> tuple[User, TokenPair]:
    """A new token pair for a valid refresh token of an active user."""
    user = session.get(User, tokens.subject(refresh_token, "refresh"))
    if user is None or not user.active:
        raise AuthFailed("this account no longer exists or is disabled", code="token_invalid")
    return user, tokens.issue(user.id)


def user_for_access_token(session: Session, tokens: TokenService, token: str) -> User:
    user = session.get(User, tokens.subject(token, "access"))
    if user is None or not user.active:
        raise AuthFailed("this account no longer exists or is disabled", code="token_invalid")
    return user


def intake_user_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that are active users whose role may take calls and create cases (a case's author)."""
    wanted = set(ids)
    if not wanted:
        return set()
    rows = session.scalars(select(User.id).where(User.id.in_(wanted), User.active.is_(True),
                                                 User.role.in_(roles_with(INTAKE))))
    return set(rows)


def intake_key(user_id: str) -> tuple[str, str]:
    """RecentChecks key: this user was found an active intake user moments ago."""
    return ("intake", user_id)


def remember_intake_users(session: Session, ids: Iterable[str], recent: RecentChecks | None) -> set[str]:
    """intake_user_ids, remembered in `recent` so the next pushes naming these authors need no lookup."""
    found = intake_user_ids(session, ids)
    if recent is not None:
        for user_id in found:
            recent.remember(intake_key(user_id))
    return found


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None

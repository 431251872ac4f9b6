"""Password guessing: failed logins are counted per user name and per client address; past a limit the name or
the address is locked out, for a time that doubles at each further failure.

The counts live in the database (login_throttle), not in a process's memory: they survive a restart (a restart
must not hand an attacker a fresh allowance) and hold across `serve --workers N`. The cost is one small write
per failed login and one per successful login of a user who had failures; a lookup of two rows by key otherwise.
Locking a user name lets an attacker keep its owner out for a while: the lock-out is capped (15 min by default)
and every lock is in the audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.config import Settings
from central_server.core.errors import ServerError
from central_server.db.models import LoginThrottle

FORGET_AFTER = timedelta(hours=1)  # failures this old no longer count (at least twice the longest lock-out)


class TooManyAttempts(ServerError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rules:
    user_limit: int
    address_limit: int
    base_seconds: float
    max_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(settings.login_max_failures, settings.login_address_max_failures,
                   settings.login_lockout_seconds, settings.login_lockout_max_seconds)

    def keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        found = [(f"user:{username}"[:80], self.user_limit)]
        if address:
            found.append((f"addr:{address}"[:80], self.address_limit))
        return found

    def lockout(self, failures: int, limit: int) -> timedelta:
        return timedelta(seconds=min(self.base_seconds * 2 ** min(failures - limit, 30), self.max_seconds))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives naive UTC times back


def check(session: Session, rules: Rules, *, username: str, address: str | None, now: datetime) -> None:
    """Raise TooManyAttempts while the name or the address is locked out (before any password is checked)."""
    keys = [key for key, _ in rules.keys(username, address)]
    locked = session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys))).all()
    until = max((_aware(t) for t in locked if t is not None), default=None)
    if until is not None and until > now:
        raise TooManyAttempts(max(1, math.ceil((until - now).total_seconds())))


def record_failure(session: Session, rules: Rules, *, username: str, address: str | None, now: datetime
                   ) -> float | None:
    """Count a failed login; returns the seconds of a lock-out it started, if any. The caller commits."""
    started: float | None = None
    for key, limit in rules.keys(username, address):
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = _insert(session, key, now)
        elif now - _aware(row.last_failure_at) > max(FORGET_AFTER, timedelta(seconds=2 * rules.max_seconds)):
            row.failures = 1
        else:
            row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            lock = rules.lockout(row.failures, limit)
            row.locked_until = now + lock
            started = max(started or 0.0, lock.total_seconds())
    session.flush()
    return started


def _insert(session: Session, key: str, now: datetime) -> LoginThrottle:
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, failures=1, last_failure_at=now, locked_until=None)
            session.add(row)
        return row
    except IntegrityError:  # a concurrent failure added it first
        again = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert again is not None
        again.failures += 1
        return again


def record_success(session: Session, rules: Rules, *, username: str) -> None:
    """The right password (outside a lock-out) clears the name's count; an address's count only ages away, so
    one valid account cannot reset an address that is guessing at others."""
    key = rules.keys(username, None)[0][0]
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

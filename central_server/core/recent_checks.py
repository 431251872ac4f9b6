"""A short memory of sync callers already checked against the database.

Every seat pushes and pulls every few seconds with the same operator token and seat credential; re-reading the
user and the seat on each call was a third of a sync request's database work. A check is trusted for
`ttl` seconds (Settings.auth_recheck_seconds), so disabling a user or rotating a seat credential takes effect
within that time (a seat registered again on this process is forgotten at once). The token's signature and expiry are still verified on every call. Only digests of seat
credentials are kept.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Hashable


class RecentChecks:
    """Thread-safe set of keys with an expiry; `ttl` 0 turns it off."""

    def __init__(self, ttl: float, *, max_entries: int = 20_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._until: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def fresh(self, key: Hashable) -> bool:
        if self.ttl <= 0:
            return False
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return False
            if until < time.monotonic():
                del self._until[key]
                return False
            return True

    def remember(self, key: Hashable) -> None:
        if self.ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._until) >= self.max_entries:
                self._until = {k: t for k, t in self._until.items() if t >= now}
                if len(self._until) >= self.max_entries:
                    self._until.clear()
            self._until[key] = now + self.ttl


    def forget(self, *prefix: Hashable) -> None:
        """Drop every key (a tuple) that starts with `prefix`, e.g. forget("seat", seat_id) on a new credential."""
        n = len(prefix)
        with self._lock:
            stale = [k for k in self._until if isinstance(k, tuple) and k[:n] == prefix]
            for k in stale:
                del self._until[k]


def user_key(user_id: str) -> tuple[str, str]:
    return ("user", user_id)


def seat_key(seat_id: str, credential: str) -> tuple[str, str, str]:
    return ("seat", seat_id, hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest())

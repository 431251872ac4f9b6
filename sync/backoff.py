"""Exponential backoff with full jitter, capped (60 s by default)."""

from __future__ import annotations

import random


class Backoff:
    """next_delay() grows 1, 2, 4 … seconds (randomised) up to `cap`; reset() after a success."""

    def __init__(self, *, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None) -> None:
        self.base, self.cap = base, cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** self.failures))
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0

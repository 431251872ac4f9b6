"""What a write changed, so each screen refreshes itself from it (no global reset)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    case_ids: tuple[str, ...] = ()
    outbox: bool = False
    draft: bool = False

"""The hot-spot answer of GET /api/v1/lead/hotspots as plain values, and how each figure reads on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any


@dataclass(frozen=True)
class SpotCase:
    number: str
    accepted_at: datetime
    district: str
    street: str
    title: str
    status: str


@dataclass(frozen=True)
class Spot:
    id: str
    title: str
    size: int
    growth: int
    district: str
    street: str
    place: str
    category: str
    first_at: datetime
    last_at: datetime
    supervised: bool
    suggested: bool
    cases: tuple[SpotCase, ...]


def parse_spots(answer: Any) -> list[Spot]:
    """The server's list; anything not shaped like it raises ValueError (never a half-filled page)."""
    if not isinstance(answer, list):
        raise ValueError("hot spots: expected a list")
    try:
        return [Spot(
            id=str(h["id"]), title=str(h["title"]), size=int(h["size"]), growth=int(h["growth"]),
            district=str(h["district"]), street=str(h["street"]), place=str(h["place"]),
            category=str(h.get("category", "")), first_at=_time(h["first_at"]), last_at=_time(h["last_at"]),
            supervised=bool(h["supervised"]), suggested=bool(h["suggested_supervision"]),
            cases=tuple(SpotCase(number=str(c["number"]), accepted_at=_time(c["accepted_at"]),
                                 district=str(c["district"]), street=str(c["street"]), title=str(c["title"]),
                                 status=str(c.get("status", ""))) for c in h["cases"]),
        ) for h in answer]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"hot spots: unexpected answer ({type(exc).__name__})") from exc


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def growth_text(growth: int) -> str:
    """'+3' / '−2' / '0': cases in the later half of the range minus the earlier half."""
    if growth > 0:
        return f"+{growth}"
    return f"−{-growth}" if growth < 0 else "0"


def span_text(first: datetime, last: datetime, tz: tzinfo | None) -> str:
    a, b = first.astimezone(tz), last.astimezone(tz)
    if a.date() == b.date():
        return f"{a:%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%m-%d}–{b:%m-%d}"


def place_text(spot: Spot) -> str:
    parts = [spot.district, spot.street, spot.place]
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return " ".join(seen) or "—"

"""A range's hot spots: one aggregate over case_topics (index on accepted_at, group_id), ranked by size and growth.

growth = cases in the second half of the range − cases in the first half; rank = size + growth / 2, i.e. a case
of the recent half counts three times one of the earlier half, so a group that is growing comes before an equal
one that has faded. Lists carry no personal data: case titles are masked when assigned (hotspot_text.title_of).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from central_server.db.models import GROUPED_SQL, Case, CaseTopic, HotspotGroup
from central_server.services.hotspot_assign import _aware
from central_server.services.hotspot_config import HotspotConfig
from contract.city.model import City


@dataclass(frozen=True)
class HotspotCase:
    number: str
    accepted_at: datetime
    district: str
    street: str
    title: str
    status: str


@dataclass(frozen=True)
class Hotspot:
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
    suggested_supervision: bool
    cases: list[HotspotCase]


def list_hotspots(session: Session, *, start: datetime, end: datetime, limit: int, config: HotspotConfig,
                  city: City | None = None) -> list[Hotspot]:
    """The `limit` highest-ranked groups with at least `min_size` cases accepted in [start, end)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # SQLite keeps the stored UTC times without a zone
    middle = start + (end - start) / 2
    size = func.count().label("size")
    recent = func.sum(case((CaseTopic.accepted_at >= middle, 1), else_=0)).label("recent")
    first, last = func.min(CaseTopic.accepted_at), func.max(CaseTopic.accepted_at)
    ranked = session.execute(
        select(CaseTopic.group_id, size, recent, first, last)
        .where(text(GROUPED_SQL), CaseTopic.accepted_at >= start, CaseTopic.accepted_at < end)  # the partial index
        .group_by(CaseTopic.group_id).having(func.count() >= config.min_size)
        .order_by((func.count() + 2 * recent).desc(), func.count().desc(), last.desc(), CaseTopic.group_id)
        .limit(limit)).all()
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    groups = {g.id: g for g in session.scalars(select(HotspotGroup).where(HotspotGroup.id.in_(ids)))}
    listed = _cases(session, ids, start, end, config.max_cases_listed, city)
    out = []
    for group_id, n, n_recent, first_at, last_at in ranked:
        g = groups[group_id]
        recent_n = int(n_recent or 0)
        out.append(Hotspot(
            id=g.id, title=g.title, size=int(n), growth=recent_n - (int(n) - recent_n),
            district=district_name(city, g.district), street=g.street, place=g.place, category=g.category,
            first_at=_aware(first_at), last_at=_aware(last_at), supervised=g.supervised_at is not None,
            suggested_supervision=g.suggested_at is not None and g.supervised_at is None,
            cases=listed[group_id]))
    return out


def _cases(session: Session, ids: list[str], start: datetime, end: datetime, most: int, city: City | None
           ) -> dict[str, list[HotspotCase]]:
    """Each group's cases in the range, newest first, at most `most` a group: one short indexed query a group
    (group_id, accepted_at), so a group of thousands costs no more than its first `most`."""
    out: dict[str, list[HotspotCase]] = defaultdict(list)
    for group_id in ids:
        rows = session.execute(
            select(CaseTopic.accepted_at, CaseTopic.title, Case.number, Case.status, Case.fields)
            .join(Case, Case.id == CaseTopic.case_id)
            .where(CaseTopic.group_id == group_id, CaseTopic.accepted_at >= start, CaseTopic.accepted_at < end)
            .order_by(CaseTopic.accepted_at.desc(), Case.number).limit(most))
        for at, title, number, status, fields in rows:
            f: dict[str, Any] = fields or {}
            out[group_id].append(HotspotCase(
                number=number, accepted_at=_aware(at), district=district_name(city, str(f.get("district") or "")),
                street=str(f.get("street") or ""), title=title, status=status))
    return out


def district_name(city: City | None, value: str) -> str:
    """A district id of the city as its name; anything else (a name read from text) as it is."""
    district = city.districts.get(value) if city else None
    return district.name if district else value

"""Hot spots (热点) for team leads: city-wide groups of cases about one issue at one place, and 督办 of a group."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from central_server.api.deps import ContextDep, LeadUser, SessionDep
from central_server.api.hotspot_schemas import HotspotCaseOut, HotspotOut, SuperviseOut, SuperviseRequest
from central_server.core.config import resources_dir
from central_server.services.hotspot_config import load_hotspot_config
from central_server.services.hotspot_query import list_hotspots
from central_server.services.hotspot_supervise import supervise_group
from central_server.services.seats import UUID_TEXT

router = APIRouter(prefix="/lead/hotspots", tags=["lead"])


@router.get("")
def hotspots(
    user: LeadUser, session: SessionDep, ctx: ContextDep,
    start: Annotated[datetime, Query(alias="from", description="range start (ISO-8601; no offset: city time)")],
    end: Annotated[datetime, Query(alias="to", description="range end, exclusive; a range that is empty or "
                                   "reversed has no hot spots")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[HotspotOut]:
    """The range's hot spots, ranked by size and growth (groups of at least two cases accepted in [from, to))."""
    tz = ctx.city.timezone
    start, end = (t if t.tzinfo else t.replace(tzinfo=tz) for t in (start, end))
    if start >= end:
        return []
    config = load_hotspot_config(resources_dir(ctx.settings))
    found = list_hotspots(session, start=start, end=end, limit=limit, config=config, city=ctx.city.city)
    return [HotspotOut(
        id=h.id, title=h.title, size=h.size, growth=h.growth, district=h.district, street=h.street, place=h.place,
        category=h.category, first_at=h.first_at, last_at=h.last_at, supervised=h.supervised,
        suggested_supervision=h.suggested_supervision,
        cases=[HotspotCaseOut(number=c.number, accepted_at=c.accepted_at, district=c.district, street=c.street,
                              title=c.title, status=c.status) for c in h.cases],
    ) for h in found]


@router.post("/{hotspot_id}/supervise")
def supervise(
    hotspot_id: Annotated[str, Path(pattern=UUID_TEXT)], body: Annotated[SuperviseRequest, Body()],
    user: LeadUser, session: SessionDep,
) -> SuperviseOut:
    """督办: a `supervised` event with the reason on every open case of the group; answers how many."""
    done = supervise_group(session, group_id=hotspot_id, reason=body.reason.strip(), actor_id=user.id)
    return SuperviseOut(id=done.id, supervised_cases=done.supervised_cases, skipped_closed=done.skipped_closed,
                        numbers=done.numbers)

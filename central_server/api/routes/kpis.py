"""The team lead's KPIs (班次看板): GET /api/v1/lead/kpis for the lead's own team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from central_server.api.deps import ContextDep, LeadUser, SessionDep
from central_server.api.kpi_schemas import Kpis
from central_server.core.errors import Invalid
from central_server.services.kpis import Scope, lead_kpis
from central_server.services.teams import team_members

router = APIRouter(prefix="/lead", tags=["lead"])
MAX_RANGE = timedelta(days=92)


def lead_range(start: datetime, end: datetime, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """The half-open range [from, to) with offsets (a time without one is the city's); 422 when empty or longer
    than MAX_RANGE."""
    start = start if start.tzinfo is not None else start.replace(tzinfo=timezone)
    end = end if end.tzinfo is not None else end.replace(tzinfo=timezone)
    if end <= start:
        raise Invalid("'to' must be later than 'from'", code="invalid_range")
    if end - start > MAX_RANGE:
        raise Invalid(f"the range may span at most {MAX_RANGE.days} days", code="range_too_large")
    return start, end


@router.get("/kpis")
def kpis(
    user: LeadUser, session: SessionDep, ctx: ContextDep,
    start: Annotated[datetime, Query(alias="from", description="ISO-8601; without an offset: city time")],
    end: Annotated[datetime, Query(alias="to", description="ISO-8601, exclusive")],
) -> Kpis:
    """Every figure for the cases of the lead's team accepted in [from, to); rates are null when nothing counts."""
    start, end = lead_range(start, end, ctx.city.timezone)
    members = team_members(session, user.team)
    scope = Scope(members=members, names=members, departments=ctx.city.departments)
    figures = lead_kpis(session, scope, start, end, datetime.now(UTC))
    city = ctx.city.timezone  # the range is answered on the city's clock, whatever offset it was asked with
    return Kpis.model_validate({**figures, "team": user.team, "from": start.astimezone(city),
                                "to": end.astimezone(city)})

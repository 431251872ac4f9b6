"""Quality review (质检): the scoresheet, a lead's sampling, scoring and per-operator trend, an operator's own
scores. Lead routes refuse roles without REVIEW (403) and anything outside the lead's team (404)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query

from central_server.api.deps import ContextDep, CurrentUser, LeadUser, SessionDep
from central_server.api.kb_schemas import PLAUSIBLE_TIME
from central_server.api.quality_schemas import SampleRequest, ScoreRequest
from central_server.core.config import resources_dir
from central_server.core.errors import Invalid, ServerError
from central_server.services import quality
from central_server.services.quality_sheet import Scoresheet, current_scoresheet
from central_server.services.quality_view import Names
from contract.errors import ConfigError

router = APIRouter(tags=["quality"])
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|\r(?!\n)")
TimeParam = Annotated[datetime, Query(json_schema_extra={"pattern": PLAUSIBLE_TIME})]


class ScoresheetBroken(ServerError):
    status = 503
    code = "scoresheet_invalid"


def _sheet(ctx: ContextDep) -> Scoresheet:
    try:
        return current_scoresheet(resources_dir(ctx.settings))
    except ConfigError as exc:
        raise ScoresheetBroken(f"the quality scoresheet is broken: {exc}") from None


def _aware(when: datetime, timezone: ZoneInfo) -> datetime:
    """A time without a zone is city time."""
    try:
        return (when.replace(tzinfo=timezone) if when.tzinfo is None else when).astimezone(UTC)
    except OverflowError:
        raise Invalid("the time is out of range", code="invalid_range") from None


@router.get("/quality/scoresheet")
def scoresheet(_user: CurrentUser, ctx: ContextDep) -> dict[str, Any]:
    """The scoresheet as configured now: items with title, description, max_points and weight."""
    return _sheet(ctx).as_json()


@router.get("/quality/mine")
def my_reviews(user: CurrentUser, session: SessionDep, ctx: ContextDep) -> list[dict[str, Any]]:
    """The signed-in person's own scored reviews with item points, total and comment (newest first)."""
    return quality.mine(session, user, names=Names.of(ctx.city))


@router.post("/lead/quality/sample")
def sample(body: SampleRequest, lead: LeadUser, session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Create pending reviews: up to `per_operator` unsampled cases of each operator of the lead's team."""
    tz = ctx.city.timezone
    result = quality.sample(session, lead, start=_aware(body.start, tz), end=_aware(body.end, tz),
                            per_operator=body.per_operator, operator_ids=body.operator_ids,
                            filter_name=body.filter, seed=body.seed, names=Names.of(ctx.city))
    return {"reviews": result.reviews, "per_operator": result.per_operator}


@router.get("/lead/quality/reviews")
def reviews(lead: LeadUser, session: SessionDep, ctx: ContextDep,
            start: Annotated[TimeParam, Query(alias="from")], end: Annotated[TimeParam, Query(alias="to")],
            ) -> list[dict[str, Any]]:
    """The team's reviews of cases accepted in [from, to): pending first."""
    tz = ctx.city.timezone
    return quality.list_reviews(session, lead, start=_aware(start, tz), end=_aware(end, tz),
                                names=Names.of(ctx.city))


@router.put("/lead/quality/reviews/{review_id}")
def score(review_id: Annotated[str, Path(min_length=1, max_length=36)], body: ScoreRequest, lead: LeadUser,
          session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Score a review on the current sheet; the total is computed by the server and stored with the sheet."""
    if _CONTROL.search(body.comment):
        raise Invalid("the comment holds control characters", code="invalid_comment")
    return quality.score(session, lead, review_id, scores=body.scores, comment=body.comment.strip(),
                         sheet=_sheet(ctx), names=Names.of(ctx.city))


@router.get("/lead/quality/trend")
def trend(lead: LeadUser, session: SessionDep, ctx: ContextDep,
          operator_id: Annotated[str, Query(min_length=1, max_length=16)],
          weeks: Annotated[int, Query(ge=1, le=quality.MAX_WEEKS)] = 8,
          until: Annotated[datetime | None, Query(alias="to", json_schema_extra={"pattern": PLAUSIBLE_TIME})] = None,
          ) -> dict[str, Any]:
    """Average total per ISO week (city time) over the `weeks` weeks ending with the week of `to` (default now)."""
    tz = ctx.city.timezone
    return quality.trend(session, lead, operator_id=operator_id, weeks=weeks,
                         until=_aware(until, tz) if until is not None else datetime.now(UTC), timezone=tz)

"""Call records: the telephony system posts them (POST /api/v1/calls); a team lead reads their team's
(GET /api/v1/lead/calls)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from central_server.api.calls_schemas import CallList, CallOut, CallsIn, CallsStored
from central_server.api.deps import ContextDep, CurrentUser, LeadUser, SessionDep
from central_server.api.routes.kpis import lead_range
from central_server.core.errors import Forbidden
from central_server.services.calls import Call, store_calls, team_calls
from central_server.services.teams import team_members
from contract.roles import REPORT_CALLS, may

router = APIRouter(tags=["calls"])


@router.post("/calls")
def post_calls(body: CallsIn, user: CurrentUser, session: SessionDep) -> CallsStored:
    """Idempotent by call_id: a call sent again is counted in `duplicates` and left as first stored."""
    if not may(user.role, REPORT_CALLS):
        raise Forbidden("only the telephony system's account (or an administrator) may report calls")
    out = store_calls(session, [Call(**c.model_dump()) for c in body.calls])
    return CallsStored(stored=out.stored, duplicates=out.duplicates)


@router.get("/lead/calls")
def lead_calls(
    user: LeadUser, session: SessionDep, ctx: ContextDep,
    start: Annotated[datetime, Query(alias="from")], end: Annotated[datetime, Query(alias="to")],
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> CallList:
    """The calls counted for the lead's team in [from, to) (callers' numbers masked), oldest first."""
    start, end = lead_range(start, end, ctx.city.timezone)
    members = team_members(session, user.team)
    rows, truncated = team_calls(session, list(members), start, end, limit=limit)
    return CallList(team=user.team, truncated=truncated, calls=[
        CallOut(call_id=r.call_id, offered_at=_aware(r.offered_at),
                answered_at=_aware(r.answered_at) if r.answered_at else None, ended_at=_aware(r.ended_at),
                wait_seconds=r.wait_seconds, abandoned=r.abandoned, seat_code=r.seat_code,
                operator_id=r.operator_id, operator_name=members.get(r.operator_id or ""),
                caller_masked=r.caller_masked) for r in rows])


def _aware(when: datetime) -> datetime:
    """SQLite hands the stored UTC times back without their offset."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)

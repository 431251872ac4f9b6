"""The team lead's workbench: the current shift, the shift queue, one case with its history, revealing a masked
value, and the lead's actions. Every route needs a role that may review (LeadUser) and sees only the lead's team."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic_core import to_json

from central_server.api.deps import ContextDep, LeadUser, SessionDep, client_address, refuse_practice_numbers
from central_server.api.lead_schemas import (
    CaseAnswer,
    LeadActionAnswer,
    LeadActionRequest,
    MemberOut,
    Note,
    QueueAnswer,
    Redispatch,
    RevealAnswer,
    RevealRequest,
    ShiftAnswer,
    ShiftOut,
)
from central_server.core.config import resources_dir
from central_server.db.models import User
from central_server.services import lead_case
from central_server.services.backlog import team_backlog
from central_server.services.lead_config import LeadSettings, current_shift, load_lead_settings
from central_server.services.lead_queue import team_queue

router = APIRouter(prefix="/lead", tags=["lead"], dependencies=[Depends(refuse_practice_numbers)])
Number = Annotated[str, Path(max_length=32)]


def _settings(ctx: ContextDep) -> LeadSettings:
    return load_lead_settings(resources_dir(ctx.settings))


@router.get("/shift")
def shift(user: LeadUser, session: SessionDep, ctx: ContextDep) -> ShiftAnswer:
    """The shift now (city time, resources/lead/shifts.toml) and the people of the lead's team."""
    now = current_shift(_settings(ctx).shifts, datetime.now(UTC), ctx.city.timezone)
    members = session.query(User).where(User.team == user.team).order_by(User.id).all() if user.team else []
    return ShiftAnswer(team=user.team, shift=ShiftOut(name=now.name, start=now.start.isoformat(),
                                                      end=now.end.isoformat()),
                       members=[MemberOut(id=m.id, name=m.name, role=m.role) for m in members])


@router.get("/queue", response_model=QueueAnswer, response_model_by_alias=True)
def queue(
    user: LeadUser, session: SessionDep, ctx: ContextDep,
    start: Annotated[datetime, Query(alias="from", description="ISO time with offset; acceptance time, inclusive")],
    end: Annotated[datetime, Query(alias="to", description="ISO time with offset; exclusive")],
) -> Response:
    """Every case of the lead's team accepted in [from, to), masked, with the filter counts (422 `invalid_range`,
    `range_too_large`)."""
    result = team_queue(session, team=user.team, start=start, end=end, city=ctx.city.city,
                        settings=_settings(ctx).queue)
    # Thousands of rows built here, of plain JSON values: serialised at once (pydantic-core), not validated again.
    return Response(to_json(result.answer(backlog=team_backlog(session, user.team))), media_type="application/json")


@router.get("/cases/{number}")
def case(number: Number, user: LeadUser, session: SessionDep, ctx: ContextDep) -> CaseAnswer:
    """The case (masked) and its whole history with who, when and why; 404 `case_not_found` outside the team."""
    queue_settings = _settings(ctx).queue
    return CaseAnswer.model_validate(lead_case.case_detail(
        session, team=user.team, number=number, city=ctx.city.city,
        low_confidence_below=queue_settings.low_confidence_below, repeat_days=queue_settings.repeat_days))


@router.post("/cases/{number}/reveal")
def reveal(number: Number, body: Annotated[RevealRequest, Body()], user: LeadUser, session: SessionDep,
           request: Request) -> RevealAnswer:
    """One unmasked value; the reason is written to the audit log (never the value)."""
    value = lead_case.reveal(session, lead=user, number=number, field=body.field, reason=body.reason,
                             address=client_address(request))
    return RevealAnswer(value=value)


@router.post("/cases/{number}/actions")
def act(number: Number, body: Annotated[LeadActionRequest, Body()], user: LeadUser, session: SessionDep,
        ctx: ContextDep) -> LeadActionAnswer:
    """退回修改 return_for_correction / 改派 redispatch (to_department) / 督办 supervise / 备注 note (text)."""
    done = lead_case.act(
        session, lead=user, number=number, action=body.action,
        reason=None if isinstance(body, Note) else body.reason, text=body.text if isinstance(body, Note) else None,
        to_department=body.to_department if isinstance(body, Redispatch) else None, city=ctx.city.city)
    return LeadActionAnswer(number=done.number, status=done.status, event_seq=done.event_seq, kind=done.kind)

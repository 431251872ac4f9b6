"""Department actions on cases (the dispatch side), for admins acting as a department."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path

from central_server.api.deps import AdminUser, ContextDep, SessionDep, refuse_practice_numbers
from central_server.api.schemas import ActionRequest, ActionResult, ExtendAction
from central_server.core.config import resources_dir
from central_server.services import dispatch
from central_server.services.callback_config import load_callback_settings

router = APIRouter(prefix="/cases", tags=["cases"], dependencies=[Depends(refuse_practice_numbers)])


@router.post("/{case_number}/actions")
def act(
    case_number: Annotated[str, Path(max_length=32)], body: Annotated[ActionRequest, Body()], user: AdminUser,
    session: SessionDep, ctx: ContextDep,
) -> ActionResult:
    """签收 sign / 退单 return (reason) / 延期 extend (reason, new_finish_by) / 办结 complete."""
    out = dispatch.act(
        session, case_number=case_number, action=body.action, department_id=body.department_id,
        reason=body.reason, new_finish_by=body.new_finish_by if isinstance(body, ExtendAction) else None, acted_by=user.id,
        departments=ctx.city.departments, timezone=ctx.city.timezone,
        callback=load_callback_settings(resources_dir(ctx.settings)),
    )
    return ActionResult(case_id=out.case_id, number=out.number, status=out.status, finish_by=out.finish_by,
                        event_id=out.event_id, event_seq=out.event_seq, kind=out.kind)

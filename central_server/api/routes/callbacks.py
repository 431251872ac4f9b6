"""The operators' callback queue (回访): due callbacks, claiming one, revealing the number to call, the result.
Every route needs a role that may take calls (INTAKE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request

from central_server.api.callbacks_schemas import (
    CallbackQueue,
    CallbackRow,
    ClaimAnswer,
    ResultAnswer,
    ResultRequest,
    RevealAnswer,
)
from central_server.api.deps import (
    ContextDep,
    CurrentUser,
    SessionDep,
    client_address,
    refuse_practice_numbers,
)
from central_server.core.config import resources_dir
from central_server.core.errors import Forbidden
from central_server.db.models import User
from central_server.services import callbacks
from central_server.services.callback_config import CallbackSettings, load_callback_settings
from contract.roles import INTAKE, may


def _operator(user: CurrentUser) -> User:
    if not may(user.role, INTAKE):
        raise Forbidden("callbacks are made by operators: your role does not take calls")
    return user


Operator = Annotated[User, Depends(_operator)]
Number = Annotated[str, Path(max_length=32)]
router = APIRouter(prefix="/callbacks", tags=["callbacks"], dependencies=[Depends(refuse_practice_numbers)])


def _settings(ctx: ContextDep) -> CallbackSettings:
    return load_callback_settings(resources_dir(ctx.settings))


@router.get("/queue")
def queue(user: Operator, session: SessionDep, ctx: ContextDep) -> CallbackQueue:
    """Due callbacks, special-needs citizens first, then the oldest due; phones masked."""
    rows = callbacks.queue(session, callbacks.clock(), ctx.city.departments)
    return CallbackQueue(rows=[CallbackRow(**r.as_dict()) for r in rows], attempts_allowed=_settings(ctx).attempts)


@router.post("/{number}/claim")
def claim(number: Number, user: Operator, session: SessionDep, ctx: ContextDep) -> ClaimAnswer:
    """Take the callback (409 `callback_claimed` while another operator holds it; the claim lapses)."""
    until = callbacks.claim(session, number=number, user_id=user.id, settings=_settings(ctx), now=callbacks.clock())
    return ClaimAnswer(number=number, claim_until=until.isoformat())


@router.post("/{number}/reveal")
def reveal(number: Number, user: Operator, session: SessionDep, request: Request) -> RevealAnswer:
    """The full number to dial, for the claim's holder; written to the audit log (without the number)."""
    phone = callbacks.reveal(session, number=number, user_id=user.id, now=callbacks.clock(),
                             address=client_address(request))
    return RevealAnswer(phone=phone)


@router.post("/{number}/result")
def result(number: Number, body: Annotated[ResultRequest, Body()], user: Operator, session: SessionDep,
           ctx: ContextDep) -> ResultAnswer:
    """满意 / 基本满意 / 不满意 (a reason: reopens the case, 重办) / 无法联系 (retried until the attempts are used)."""
    out = callbacks.record_result(session, number=number, user_id=user.id, result=body.result, note=body.note,
                                  settings=_settings(ctx), city=ctx.city.city, now=callbacks.clock())
    return ResultAnswer(event_id=out.event_id, final=out.final, status=out.status, due_at=out.due_at,
                        finish_by=out.finish_by)

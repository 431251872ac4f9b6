"""Where a trainer's practice scenarios come from besides their own writing: a real case, its personal data
removed (POST /practice/scenarios/from-case). Needs the TRAINING permission (trainers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from central_server.api.deps import ContextDep, CurrentUser, SessionDep, client_address
from central_server.core.errors import Forbidden
from central_server.db.models import User
from central_server.services.practice_from_case import draft_from_case
from contract.roles import TRAINING, may

router = APIRouter(prefix="/practice", tags=["practice"])


def get_trainer(user: CurrentUser) -> User:
    """A person who may author practice scenarios (培训管理); anyone else gets 403 `forbidden`."""
    if not may(user.role, TRAINING):
        raise Forbidden("this is the trainer's work: your role may not author practice scenarios")
    return user


Trainer = Annotated[User, Depends(get_trainer)]


class FromCaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=40, description="the real case's number, e.g. S001-20261201-0007")


@router.post("/scenarios/from-case")
def from_case(body: Annotated[FromCaseRequest, Body()], user: Trainer, session: SessionDep, ctx: ContextDep,
              request: Request) -> dict[str, Any]:
    """A draft scenario from a real case: {"draft": Scenario dict (id "", source "case"), "replacements": [{kind,
    placeholder, line, start, end}]} with offsets into the scrubbed lines, never the original values. Nothing is
    saved; the read is audited. 400 `practice_number`, 404 `case_not_found`."""
    return draft_from_case(session, number=body.number, trainer=user, city=ctx.city.city,
                           address=client_address(request))

"""An operator's cases: operators read their own; team leads and admins read anyone's."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from central_server.api.deps import CurrentUser, SessionDep
from central_server.api.schemas import CaseList, CaseOut
from central_server.core.errors import Forbidden, NotFound
from central_server.db.models import User
from central_server.services.cases import cases_of_operator
from contract.roles import ADMINISTER, REVIEW, roles_with

router = APIRouter(prefix="/operators", tags=["operators"])
READ_ANY = (*roles_with(REVIEW), *roles_with(ADMINISTER))  # team leads and admins


@router.get("/{operator_id}/cases")
def operator_cases(
    operator_id: Annotated[str, Path(max_length=16)], user: CurrentUser, session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CaseList:
    """Another operator's cases with an operator token → 403 `forbidden`."""
    if operator_id != user.id and user.role not in READ_ANY:
        raise Forbidden("you can read only your own cases")
    if session.get(User, operator_id) is None:
        raise NotFound(f"no user {operator_id}", code="user_not_found")
    rows = cases_of_operator(session, operator_id=operator_id, limit=limit, offset=offset)
    return CaseList(operator_id=operator_id, cases=[CaseOut(**asdict(r)) for r in rows])

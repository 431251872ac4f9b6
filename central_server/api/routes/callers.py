"""A caller's history for the screen pop (来电弹屏): POST /api/v1/callers/history {"phone": ...}.

A POST with the phone in the body, not a GET with it in the query: uvicorn's access log writes every request's
path and query, and a caller's number must never reach a log."""

from __future__ import annotations

from fastapi import APIRouter

from central_server.api.callers_schemas import CallerHistoryOut, CallerQuery, EarlierCaseOut
from central_server.api.deps import CurrentUser, SessionDep
from central_server.core.errors import Forbidden
from central_server.services.caller_history import caller_history
from contract.roles import INTAKE, may

router = APIRouter(prefix="/callers", tags=["callers"])


@router.post("/history")
def history(body: CallerQuery, user: CurrentUser, session: SessionDep) -> CallerHistoryOut:
    """The caller's cases from every seat, open first, then newest first (at most 50). Needs the intake
    permission; the phone normalised as cases hold it (422 otherwise). The phone is never logged."""
    if not may(user.role, INTAKE):
        raise Forbidden("only people who take calls may read a caller's history")
    found = caller_history(session, body.phone)
    return CallerHistoryOut(open_count=found.open_count, truncated=found.truncated, cases=[
        EarlierCaseOut(number=c.number, accepted_at=c.accepted_at, category=c.category, status=c.status,
                       respond_by=c.respond_by, finish_by=c.finish_by, special_needs=list(c.special_needs),
                       last_events=list(c.last_events)) for c in found.cases])

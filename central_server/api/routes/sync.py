"""Push and pull between a seat and the server (bearer token of the operator at the seat + seat headers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from central_server.api.deps import CurrentSeat, CurrentUser, SessionDep
from central_server.services import sync_service
from sync.protocol import MAX_PULL, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
def push(body: PushRequest, user: CurrentUser, seat: CurrentSeat, session: SessionDep) -> PushResponse:
    """Apply a batch in one transaction; see DESIGN.md "Sync protocol". Wrong version → 409 `protocol_version`."""
    del user  # authenticated; each mutation carries its own operator_id
    return sync_service.push(session, seat=seat, request=body)


@router.get("/pull")
def pull(
    user: CurrentUser, seat: CurrentSeat, session: SessionDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL,
) -> PullResponse:
    """Changes after `cursor` in commit order; a cursor beyond the server's newest change → reset_required."""
    del user
    return sync_service.pull(session, seat=seat, cursor=cursor, limit=limit)

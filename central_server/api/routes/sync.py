"""Push and pull between a seat and the server (bearer token of the operator at the seat + seat headers).

The hottest endpoints: every seat calls them every few seconds. Each runs its whole body — session, the
user and seat checks, the work, the commit — in ONE worker-thread call, instead of one thread hop per
dependency (a plain `def` endpoint with `def` dependencies costs five hops).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from central_server.api.deps import AppContext, ContextDep, SeatCall, SeatCallDep, authenticate_call
from central_server.services import sync_service
from sync.protocol import MAX_PULL, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
async def push(body: PushRequest, ctx: ContextDep, call: SeatCallDep) -> PushResponse:
    """Apply a batch in one transaction; see DESIGN.md "Sync protocol". Wrong version → 409 `protocol_version`."""
    return await run_in_threadpool(_push, ctx, call, body)


def _push(ctx: AppContext, call: SeatCall, body: PushRequest) -> PushResponse:
    with ctx.sessions() as session:
        seat_id = authenticate_call(session, ctx, call)  # each mutation carries its own operator_id
        return sync_service.push(session, seat_id=seat_id, request=body, recent=ctx.recent)


@router.get("/pull")
async def pull(
    ctx: ContextDep, call: SeatCallDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL,
) -> PullResponse:
    """Changes after `cursor` in commit order; a cursor beyond the server's newest change → reset_required."""
    return await run_in_threadpool(_pull, ctx, call, cursor, limit)


def _pull(ctx: AppContext, call: SeatCall, cursor: int, limit: int) -> PullResponse:
    with ctx.sessions() as session:
        seat_id = authenticate_call(session, ctx, call)
        return sync_service.pull(session, seat_id=seat_id, cursor=cursor, limit=limit)

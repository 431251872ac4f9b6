"""Push and pull between a seat and the server (bearer token of the operator at the seat + seat headers).

The hottest endpoints: every seat calls them every few seconds. Each runs its whole body — session, the
user and seat checks, the work, the commit — in ONE worker-thread call, instead of one thread hop per
dependency (a plain `def` endpoint with `def` dependencies costs five hops), and the answer is serialised there
once (FastAPI would validate a returned model again, then serialise it on the event loop).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from central_server.api.deps import AppContext, ContextDep, SeatCall, SeatCallDep, authenticate_call
from central_server.services import sync_service
from contract.protocol import MAX_PULL, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse)
async def push(body: PushRequest, ctx: ContextDep, call: SeatCallDep) -> Response:
    """Apply a batch in one transaction; see DESIGN.md "Sync protocol". Wrong version → 409 `protocol_version`."""
    return _json(await ctx.sync_threads.run(_push, ctx, call, body))


def _push(ctx: AppContext, call: SeatCall, body: PushRequest) -> bytes:
    with ctx.sessions() as session:
        seat_id = authenticate_call(session, ctx, call)  # each mutation carries its own operator_id
        return sync_service.push(session, seat_id=seat_id, request=body, city=ctx.city.city,
                                 recent=ctx.recent).model_dump_json().encode()


@router.get("/pull", response_model=PullResponse)
async def pull(
    ctx: ContextDep, call: SeatCallDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL,
    skip_own: Annotated[bool, Query(description="leave out the created events the seat made itself")] = False,
) -> Response:
    """Changes after `cursor` in commit order; a cursor beyond the server's newest change → reset_required."""
    return _json(await ctx.sync_threads.run(_pull, ctx, call, cursor, limit, skip_own))


def _pull(ctx: AppContext, call: SeatCall, cursor: int, limit: int, skip_own: bool) -> bytes:
    with ctx.sessions() as session:
        seat_id = authenticate_call(session, ctx, call)
        answer = sync_service.pull(session, seat_id=seat_id, cursor=cursor, limit=limit, skip_own=skip_own)
        return answer.model_dump_json().encode()


def _json(body: bytes) -> Response:
    """The models were built by our own code: serialised once on the worker thread, not validated again."""
    return Response(content=body, media_type="application/json")

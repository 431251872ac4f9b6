"""Seat registration."""

from __future__ import annotations

from fastapi import APIRouter, status

from central_server.api.deps import ContextDep, CurrentUser, SessionDep
from central_server.api.schemas import SeatRegistered, SeatRegisterRequest
from central_server.services.seats import register_seat

router = APIRouter(prefix="/seats", tags=["seats"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: SeatRegisterRequest, user: CurrentUser, session: SessionDep, ctx: ContextDep) -> SeatRegistered:
    """Once per seat; an already registered seat_id or a taken seat_code → 409."""
    credential = register_seat(session, seat_id=body.seat_id, seat_code=body.seat_code, user=user)
    ctx.recent.forget("seat", body.seat_id)  # the seat's previous credential stops working now
    return SeatRegistered(seat_id=body.seat_id, seat_code=body.seat_code, seat_credential=credential)

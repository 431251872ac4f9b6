"""Seat registration and operators signing in at a seat."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from pydantic import BaseModel

from central_server.api.deps import ContextDep, CurrentSeat, CurrentUser, SessionDep, client_address
from central_server.api.schemas import SeatRegistered, SeatRegisterRequest
from central_server.services.seats import register_seat, sign_in

router = APIRouter(prefix="/seats", tags=["seats"])


class SignedIn(BaseModel):
    seat_id: str
    operator_id: str
    signed_in_at: datetime


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: SeatRegisterRequest, request: Request, user: CurrentUser, session: SessionDep, ctx: ContextDep,
             x_seat_credential: Annotated[str | None, Header(alias="X-Seat-Credential", max_length=256)] = None,
             ) -> SeatRegistered:
    """A new seat, once. A registered seat gets a new credential only with its current one (X-Seat-Credential),
    from an administrator, or after an administrator's reset; otherwise → 409 `seat_taken`. A taken seat_code
    → 409 `seat_code_taken`; another code for a known seat_id → 409 `seat_exists`."""
    credential = register_seat(session, seat_id=body.seat_id, seat_code=body.seat_code, user=user,
                               current_credential=x_seat_credential, proposed=body.credential,
                               address=client_address(request))
    ctx.recent.forget("seat", body.seat_id)  # the seat's previous credential stops working now
    return SeatRegistered(seat_id=body.seat_id, seat_code=body.seat_code, seat_credential=credential)


@router.post("/sign-in")
def seat_sign_in(request: Request, user: CurrentUser, seat: CurrentSeat, session: SessionDep) -> SignedIn:
    """The operator behind the bearer token is at the seat behind X-Seat-Id / X-Seat-Credential: from now on
    that seat's pushes may name this operator as a change's author."""
    at = sign_in(session, seat=seat, user=user, address=client_address(request))
    return SignedIn(seat_id=seat.id, operator_id=user.id, signed_in_at=at)

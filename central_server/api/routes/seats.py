"""Seat registration, operators signing in at a seat, and the seat's backlog reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from central_server.api.deps import ContextDep, CurrentSeat, CurrentUser, SessionDep, client_address
from central_server.api.schemas import SeatRegistered, SeatRegisterRequest
from central_server.services.backlog import Pending, record_backlog
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


class OperatorBacklog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operator_id: str = Field(min_length=1, max_length=16, description="an operator who signed in at this seat")
    pending: int = Field(ge=1, le=10_000_000, description="changes made at the seat that the server has not received")
    oldest_pending_at: AwareDatetime = Field(description="when the oldest of them was made, with its UTC offset")


class BacklogReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operators: list[OperatorBacklog] = Field(
        max_length=500, description="each operator with pending changes, once; an empty list clears the report")


@router.post("/backlog", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def backlog(body: BacklogReport, user: CurrentUser, seat: CurrentSeat, session: SessionDep) -> Response:
    """The seat behind X-Seat-Id / X-Seat-Credential reports what it has not pushed yet (at the end of each sync
    pass); it replaces that seat's previous report. An operator who never signed in at this seat → 403
    `operator_not_signed_in`; an operator named twice → 422 `duplicate_operator`. The team lead's queue shows it."""
    record_backlog(session, seat, [Pending(o.operator_id, o.pending, o.oldest_pending_at) for o in body.operators])
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Login, token refresh and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import Field

from central_server.api.deps import ContextDep, SessionDep, client_address
from central_server.api.schemas import LoginRequest, RefreshRequest, TokenResponse, UserOut
from central_server.core.security import TokenPair
from central_server.db.models import User
from central_server.services import sessions
from central_server.services.throttle import Rules, TooManyAttempts

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginResponse(TokenResponse):
    seat_signed_in: bool | None = Field(
        default=None, description="with X-Seat-Id and X-Seat-Credential: whether the operator is now signed in at "
                                  "that seat (false: its credential is not valid); null without them")


def _response(user: User, pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in,
        user=UserOut(id=user.id, username=user.username, name=user.name, role=user.role),  # type: ignore[arg-type]
    )


@router.post("/login", response_model=LoginResponse,
             responses={429: {"description": "too many failed logins: `too_many_attempts`, see Retry-After"}})
def login(body: LoginRequest, request: Request, session: SessionDep, ctx: ContextDep,
          x_seat_id: Annotated[str | None, Header(alias="X-Seat-Id", max_length=64)] = None,
          x_seat_credential: Annotated[str | None, Header(alias="X-Seat-Credential", max_length=256)] = None,
          ) -> LoginResponse | Response:
    """Wrong username or password → 401 `invalid_credentials`; after repeated failures for the name or from the
    address → 429 `too_many_attempts` with Retry-After (seconds), even for the right password. A seat sends its
    X-Seat-Id and X-Seat-Credential along: the operator is then signed in at it (see `seat_signed_in`)."""
    try:
        user, pair, at_seat = sessions.login(
            session, ctx.tokens, Rules.from_settings(ctx.settings), username=body.username, password=body.password,
            address=client_address(request), seat_id=x_seat_id, seat_credential=x_seat_credential)
    except TooManyAttempts as exc:
        return JSONResponse(status_code=exc.status, content={"error": exc.code, "message": exc.message},
                            headers={"Retry-After": str(exc.retry_after)})
    return LoginResponse(**_response(user, pair).model_dump(), seat_signed_in=at_seat)


@router.post("/refresh")
def refresh(body: RefreshRequest, session: SessionDep, ctx: ContextDep) -> TokenResponse:
    """A new token pair; an expired or invalid refresh token → 401, one revoked by a logout → 401 `token_revoked`."""
    user, pair = sessions.refresh(session, ctx.tokens, refresh_token=body.refresh_token)
    return _response(user, pair)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: RefreshRequest, request: Request, session: SessionDep, ctx: ContextDep) -> None:
    """Revoke this refresh token: it cannot be used again. An invalid one → 401."""
    sessions.logout(session, ctx.tokens, refresh_token=body.refresh_token, address=client_address(request))

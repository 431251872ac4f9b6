"""Login and token refresh."""

from __future__ import annotations

from fastapi import APIRouter

from central_server.api.deps import ContextDep, SessionDep
from central_server.api.schemas import LoginRequest, RefreshRequest, TokenResponse, UserOut
from central_server.core.security import TokenPair
from central_server.db.models import User
from central_server.services import users

router = APIRouter(prefix="/auth", tags=["auth"])


def _response(user: User, pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in,
        user=UserOut(id=user.id, username=user.username, name=user.name, role=user.role),  # type: ignore[arg-type]
    )


@router.post("/login")
def login(body: LoginRequest, session: SessionDep, ctx: ContextDep) -> TokenResponse:
    """Wrong username or password → 401 `invalid_credentials`."""
    user, pair = users.login(session, ctx.tokens, username=body.username, password=body.password)
    return _response(user, pair)


@router.post("/refresh")
def refresh(body: RefreshRequest, session: SessionDep, ctx: ContextDep) -> TokenResponse:
    """A new token pair; an expired or invalid refresh token → 401."""
    user, pair = users.refresh(session, ctx.tokens, refresh_token=body.refresh_token)
    return _response(user, pair)

"""Dependencies: a database session per request, the user behind the bearer token, the seat behind its headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from central_server.core.city import CityFacts
from central_server.core.config import Settings
from central_server.core.errors import AuthFailed, Forbidden
from central_server.core.recent_checks import RecentChecks, seat_key, user_key
from central_server.core.security import TokenService
from central_server.db.models import Seat, User
from central_server.services.practice_guard import PracticeNumberRefused
from central_server.services.seats import authenticate_seat
from central_server.services.users import user_for_access_token
from contract.case_number import is_practice_number
from contract.roles import PRACTICE, REVIEW, TRAINING, may

T = TypeVar("T")


class ThreadSlots:
    """The worker threads the sync endpoints may use at once: as many as pooled database connections, so a sync
    call never holds a thread while it waits for a connection, and fewer threads contend for the GIL.

    The limiter belongs to the event loop serving the app, so the app's lifespan makes it (`open`); until then
    (an app used without its lifespan) the calls share AnyIO's default threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.limiter: CapacityLimiter | None = None

    def open(self) -> None:
        self.limiter = CapacityLimiter(self.size)

    def close(self) -> None:
        self.limiter = None

    async def run(self, func: Callable[..., T], *args: object) -> T:
        return await to_thread.run_sync(func, *args, limiter=self.limiter)


@dataclass(frozen=True)
class AppContext:
    """What create_app builds once and every request shares (kept on app.state.ctx)."""

    settings: Settings
    sessions: sessionmaker[Session]
    tokens: TokenService
    city: CityFacts
    database: str
    recent: RecentChecks = field(default_factory=lambda: RecentChecks(0))
    sync_threads: ThreadSlots = field(default_factory=lambda: ThreadSlots(16))


async def get_context(request: Request) -> AppContext:
    """Async on purpose: FastAPI runs a plain `def` dependency on a worker thread, one hop per dependency."""
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="the access token from /api/v1/auth/login")


def get_current_user(
    ctx: ContextDep, session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or not credentials.credentials:
        raise AuthFailed("log in first: this request needs 'Authorization: Bearer <access token>'")
    user = user_for_access_token(session, ctx.tokens, credentials.credentials)
    # End the read transaction now: the connection goes back to the pool while the request waits for its next
    # worker thread. Held "idle in transaction", 40 such waits exhausted the pool and deadlocked the server.
    session.commit()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_team_lead(user: CurrentUser) -> User:
    """A person whose role reviews a team's work (the workbench); anyone else gets 403 `forbidden`. A lead with
    no team sees nothing of anyone's."""
    if not may(user.role, REVIEW):
        raise Forbidden("this is the team lead's workbench: your role may not review cases")
    return user


LeadUser = Annotated[User, Depends(get_team_lead)]


def get_trainer(user: CurrentUser) -> User:
    """A person who authors practice scenarios, assigns them and reads results (培训管理); 403 otherwise."""
    if not may(user.role, TRAINING):
        raise Forbidden("this is the trainer's work: your role may not author or assign practice")
    return user


TrainerUser = Annotated[User, Depends(get_trainer)]


def get_trainee(user: CurrentUser) -> User:
    """A person who takes practice calls (operators and team leads); 403 otherwise."""
    if not may(user.role, PRACTICE):
        raise Forbidden("this is for trainees: your role does not take practice calls")
    return user


PracticeUser = Annotated[User, Depends(get_trainee)]


def get_practice_reader(user: CurrentUser) -> User:
    """A trainee or a trainer: both read the scenario library (trainers every status, trainees published ones)."""
    if not (may(user.role, PRACTICE) or may(user.role, TRAINING)):
        raise Forbidden("practice scenarios are for trainees and trainers")
    return user


PracticeReader = Annotated[User, Depends(get_practice_reader)]


async def refuse_practice_numbers(request: Request) -> None:
    """A router dependency of every real route that names a case in its path: a practice number (练-…) is never a
    real case, so it is refused with 400 `practice_number` before anything is looked up."""
    if any(isinstance(v, str) and is_practice_number(v) for v in request.path_params.values()):
        raise PracticeNumberRefused()


def get_current_seat(
    session: SessionDep,
    x_seat_id: Annotated[str | None, Header(alias="X-Seat-Id", max_length=64)] = None,
    x_seat_credential: Annotated[str | None, Header(alias="X-Seat-Credential", max_length=256)] = None,
) -> Seat:
    seat = authenticate_seat(session, seat_id=x_seat_id, credential=x_seat_credential)
    session.commit()  # release the connection between dependency steps (see get_current_user)
    return seat


CurrentSeat = Annotated[Seat, Depends(get_current_seat)]


@dataclass(frozen=True)
class SeatCall:
    """The credentials of a seat's sync call, read in the event loop; checked on the worker thread by
    `authenticate_call`, so a sync request costs one thread hop and holds a pooled connection only there."""

    token: str | None
    seat_id: str | None
    seat_credential: str | None


async def get_seat_call(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_seat_id: Annotated[str | None, Header(alias="X-Seat-Id", max_length=64)] = None,
    x_seat_credential: Annotated[str | None, Header(alias="X-Seat-Credential", max_length=256)] = None,
) -> SeatCall:
    return SeatCall(credentials.credentials if credentials else None, x_seat_id, x_seat_credential)


SeatCallDep = Annotated[SeatCall, Depends(get_seat_call)]


def authenticate_call(session: Session, ctx: AppContext, call: SeatCall) -> str:
    """The same checks, in the same order, as CurrentUser then CurrentSeat; returns the seat id.

    The token's signature and expiry are verified every time; the database checks of the user and the seat are
    skipped when they passed within the last few seconds (ctx.recent).
    """
    if not call.token:
        raise AuthFailed("log in first: this request needs 'Authorization: Bearer <access token>'")
    user_id = ctx.tokens.subject(call.token, "access")
    if not ctx.recent.fresh(user_key(user_id)):
        user_for_access_token(session, ctx.tokens, call.token)
        ctx.recent.remember(user_key(user_id))
    if call.seat_id and call.seat_credential and ctx.recent.fresh(seat_key(call.seat_id, call.seat_credential)):
        return call.seat_id
    seat = authenticate_seat(session, seat_id=call.seat_id, credential=call.seat_credential)
    ctx.recent.remember(seat_key(seat.id, call.seat_credential or ""))
    return seat.id


def client_address(request: Request) -> str | None:
    """The peer's address as the server sees it (for throttling and the audit log); no forwarded-for header is
    trusted: a client could put any address there."""
    return request.client.host if request.client else None


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency that lets only users with one of `roles` through (403 `forbidden` otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}")
        return user

    return check


AdminUser = Annotated[User, Depends(require_role("admin"))]

"""Liveness: answers without authentication and touches the database."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from central_server import __version__
from central_server.api.deps import ContextDep, SessionDep
from central_server.api.schemas import Health
from contract.protocol import PROTOCOL_VERSION

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep, ctx: ContextDep) -> Health:
    session.execute(text("SELECT 1"))
    session.rollback()
    return Health(protocol_version=PROTOCOL_VERSION, database=ctx.database, version=__version__)

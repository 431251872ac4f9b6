"""One module per resource; `api_router` gathers them under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from central_server.api.errors import ERROR_RESPONSES
from central_server.api.routes import (
    auth,
    calls,
    cases,
    health,
    hotspots,
    kb,
    kpis,
    lead,
    operators,
    practice,
    practice_results,
    practice_source,
    quality,
    routing,
    same_issue,
    seats,
    sync,
)

api_router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
for module in (auth, seats, sync, same_issue, cases, operators, kb, routing, lead, kpis, hotspots, quality, calls, health,
               practice, practice_source, practice_results):
    api_router.include_router(module.router)

"""One module per resource; `api_router` gathers them under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from central_server.api.errors import ERROR_RESPONSES
from central_server.api.routes import (
    auth,
    callbacks,
    callers,
    calls,
    cases,
    health,
    hotspots,
    intake,
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
# same_issue before cases: /cases/same-issue must not be taken for a case number
for module in (auth, seats, sync, same_issue, cases, operators, kb, routing, lead, kpis, hotspots, quality, calls, callers,
               health, intake, practice, practice_source, practice_results, callbacks):
    api_router.include_router(module.router)

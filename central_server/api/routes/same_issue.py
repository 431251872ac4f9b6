"""Same-issue candidates for the case an operator is typing (重复件/并单)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from central_server.api.deps import ContextDep, CurrentUser, SessionDep
from central_server.api.same_issue_schemas import SameIssueOut
from central_server.core.errors import Forbidden
from central_server.services.same_issue import REASON_WORDS, find_same_issue
from contract.roles import INTAKE, may

router = APIRouter(tags=["cases"])


@router.get("/cases/same-issue")
def same_issue(
    user: CurrentUser, session: SessionDep, ctx: ContextDep,
    phone: Annotated[str, Query(max_length=40)] = "",
    content: Annotated[str, Query(max_length=5000)] = "",
    district: Annotated[str, Query(max_length=64)] = "",
    address: Annotated[str, Query(max_length=500)] = "",
) -> list[SameIssueOut]:
    """Open cases of the last 30 days, city-wide, with the same phone or the same place and similar content;
    best first, at most 5. Phones come back masked."""
    if not may(user.role, INTAKE):
        raise Forbidden("only people who take calls look for same-issue cases")
    found = find_same_issue(session, phone=phone, content=content, district=district, address=address,
                            city=ctx.city.city)
    return [SameIssueOut(number=c.number, status=c.status, category=c.category, accepted_at=c.accepted_at,
                         reasons=list(c.reasons), reason_text="；".join(REASON_WORDS[r] for r in c.reasons),
                         phone_masked=c.phone_masked, title=c.title, score=c.score) for c in found]

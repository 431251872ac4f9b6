"""The knowledge-base editor API: create, edit (new version, optimistic check), retire, read; operators' feedback.

Editors and admins only. Every write records a change that every seat pulls.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, status

from central_server.api.deps import ContextDep, SessionDep, require_role
from central_server.api.kb_schemas import (
    ARTICLE_ID,
    ArticleCreate,
    ArticleEdit,
    ArticleFields,
    ArticleOut,
    FeedbackList,
    FeedbackOut,
    VersionOut,
)
from central_server.db.models import KbArticleVersion, User
from central_server.services import kb
from central_server.services.kb_feedback import list_feedback
from contract.roles import KB_EDIT, roles_with

router = APIRouter(prefix="/kb", tags=["knowledge base"])
EDITOR_ROLES = roles_with(KB_EDIT)
KbEditor = Annotated[User, Depends(require_role(*EDITOR_ROLES))]
ArticleId = Annotated[str, Path(min_length=1, max_length=kb.MAX_ID, json_schema_extra={"pattern": ARTICLE_ID})]


def _city_time(when: datetime | None, timezone: ZoneInfo) -> datetime | None:
    if when is None or when.tzinfo is None:
        return when
    try:
        return when.astimezone(timezone).replace(tzinfo=None)
    except OverflowError:
        return when.replace(tzinfo=None)  # out of range either way: clean_content refuses the year


def _content(body: ArticleFields, timezone: ZoneInfo) -> kb.ArticleContent:
    return kb.ArticleContent(
        title=body.title, body=body.body, category=body.category, departments=tuple(body.departments),
        keywords=tuple(body.keywords), effective_from=_city_time(body.effective_from, timezone),
        expires_at=_city_time(body.expires_at, timezone), owner=body.owner,
    )


def _version_out(v: KbArticleVersion) -> VersionOut:
    return VersionOut(
        version=v.version, title=v.title, body=v.body, category=v.category, departments=list(v.departments),
        keywords=list(v.keywords), effective_from=kb.time_text(v.effective_from),
        expires_at=kb.time_text(v.expires_at), owner=v.owner, updated_at=kb.time_text(v.updated_at),
        edited_by=v.edited_by,
    )


def _out(state: kb.ArticleState) -> ArticleOut:
    current = _version_out(state.current)
    return ArticleOut(
        id=state.article.id, version=current.version, retired=state.article.retired,
        **current.model_dump(exclude={"version", "edited_by"}),
        versions=[_version_out(v) for v in state.versions],
    )


@router.post("/articles", status_code=status.HTTP_201_CREATED)
def create(body: ArticleCreate, user: KbEditor, session: SessionDep, ctx: ContextDep) -> ArticleOut:
    """Version 1 of a new article; a taken id → 409 `article_exists`."""
    state = kb.create_article(session, article_id=body.id or str(uuid.uuid4()),
                              content=_content(body, ctx.city.timezone), edited_by=user.id,
                              timezone=ctx.city.timezone)
    return _out(state)


@router.put("/articles/{article_id}")
def edit(article_id: ArticleId, body: ArticleEdit, user: KbEditor, session: SessionDep,
         ctx: ContextDep) -> ArticleOut:
    """A new version; `base_version` not current → 409 `version_conflict`; unchanged content adds none."""
    state = kb.edit_article(session, article_id=kb.check_id(article_id), content=_content(body, ctx.city.timezone),
                            base_version=body.base_version, edited_by=user.id, timezone=ctx.city.timezone)
    return _out(state)


@router.post("/articles/{article_id}/retire")
def retire(article_id: ArticleId, user: KbEditor, session: SessionDep) -> ArticleOut:
    """Hide the article on every seat (a tombstone in the pull feed); retiring twice is harmless."""
    del user
    return _out(kb.retire_article(session, article_id=kb.check_id(article_id)))


@router.get("/articles/{article_id}")
def read(article_id: ArticleId, user: KbEditor, session: SessionDep) -> ArticleOut:
    """The current version and every version, newest first."""
    del user
    return _out(kb.get_article(session, kb.check_id(article_id)))


@router.get("/feedback")
def feedback(
    user: KbEditor, session: SessionDep,
    article_id: Annotated[str | None, Query(min_length=1, max_length=kb.MAX_ID,
                                            json_schema_extra={"pattern": ARTICLE_ID})] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> FeedbackList:
    """Operators' verdicts on articles (helpful / outdated / wrong, with a comment), newest first."""
    del user
    if article_id is not None:
        article_id = kb.check_id(article_id)
    rows = list_feedback(session, article_id=article_id, limit=limit, offset=offset)
    return FeedbackList(feedback=[FeedbackOut(
        id=r.id, article_id=r.article_id, version=r.version, verdict=r.verdict,  # type: ignore[arg-type]
        comment=r.comment, operator_id=r.operator_id, seat_id=r.seat_id, created_at=r.created_at,
        received_at=r.received_at.isoformat(),
    ) for r in rows])

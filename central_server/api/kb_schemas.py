"""Request and response bodies of the knowledge-base editor API (/api/v1/kb)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from central_server.services.kb import MAX_BODY, MAX_CATEGORY, MAX_ID, MAX_ITEMS, MAX_OWNER, MAX_TITLE


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleFields(_In):
    """Times without a zone are city time; times with one are converted to it."""

    title: str = Field(default="", max_length=MAX_TITLE)
    body: str = Field(default="", max_length=MAX_BODY)
    category: str = Field(default="", max_length=MAX_CATEGORY)
    departments: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    keywords: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    effective_from: datetime | None = None
    expires_at: datetime | None = None
    owner: str = Field(default="", max_length=MAX_OWNER, description="default: the editor (create) or unchanged")


class ArticleCreate(ArticleFields):
    id: str | None = Field(default=None, min_length=1, max_length=MAX_ID, description="default: a new UUID")


class ArticleEdit(ArticleFields):
    base_version: int = Field(ge=1, le=2**31 - 1, description="the version the edit started from")


class ContentOut(BaseModel):
    """The text and metadata of one version, as every article answer shows them."""

    title: str
    body: str
    category: str
    departments: list[str]
    keywords: list[str]
    effective_from: str | None
    expires_at: str | None
    owner: str
    updated_at: str | None


class VersionOut(ContentOut):
    version: int
    edited_by: str


class ArticleOut(ContentOut):
    id: str
    version: int = Field(description="the current version")
    retired: bool
    versions: list[VersionOut] = Field(description="every version, newest first")


class FeedbackOut(BaseModel):
    id: str
    article_id: str
    version: int
    verdict: Literal["helpful", "outdated", "wrong"]
    comment: str
    operator_id: str
    seat_id: str
    created_at: str
    received_at: str


class FeedbackList(BaseModel):
    feedback: list[FeedbackOut]

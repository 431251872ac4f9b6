"""Request and response bodies of the knowledge-base editor API (/api/v1/kb)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import JsonDict

from central_server.api.schemas import NOT_BLANK
from central_server.services.kb import (
    MAX_BODY,
    MAX_CATEGORY,
    MAX_ID,
    MAX_ITEM,
    MAX_ITEMS,
    MAX_OWNER,
    MAX_TITLE,
)

# The published schema says what services/kb.py's clean_content and check_id refuse, so that a client (and the
# fuzzer) can tell a valid request from the schema alone. The service still enforces them (code invalid_article):
# these patterns only document the rules. JSON Schema patterns are unanchored and ECMA-262 flavoured.
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no control characters (Unicode category Cc)
MULTILINE = r"^(?:[^\x00-\x08\x0b-\x1f\x7f-\x9f]|\r\n)*$"  # tabs and line breaks allowed
ARTICLE_ID = r"^[^\x00-\x1f\x7f-\x9f/]*[^\s\x00-\x1f\x7f-\x9f/][^\x00-\x1f\x7f-\x9f/]*$"  # not blank, no '/'
# Years 1901-9998, so that converting any offset to city time stays inside the 1900-9999 the service accepts.
PLAUSIBLE_TIME = r"^(190[1-9]|19[1-9]\d|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-"


def _rule(pattern: str, **more: int) -> JsonDict:
    return {"pattern": pattern, **more}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


TIME_SCHEMA: JsonDict = {"anyOf": [{"type": "string", "format": "date-time", "pattern": PLAUSIBLE_TIME},
                                            {"type": "null"}]}
Item = Annotated[str, Field(json_schema_extra=_rule(ONE_LINE, maxLength=MAX_ITEM))]


RULES = ("Times without a zone are city time; times with one are converted to it. A title or a body is needed. "
         "When both times are given, expires_at must be after effective_from.")


class ArticleFields(_In):
    """The content of an article; RULES adds what JSON Schema cannot state (the order of the two times)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": RULES, "anyOf": [
        {"required": ["title"], "properties": {"title": {"pattern": NOT_BLANK}}},
        {"required": ["body"], "properties": {"body": {"pattern": NOT_BLANK}}},
    ]})

    title: str = Field(default="", max_length=MAX_TITLE, json_schema_extra=_rule(ONE_LINE))
    body: str = Field(default="", max_length=MAX_BODY, json_schema_extra=_rule(MULTILINE))
    category: str = Field(default="", max_length=MAX_CATEGORY, json_schema_extra=_rule(ONE_LINE))
    departments: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    keywords: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    effective_from: Annotated[datetime | None, WithJsonSchema(TIME_SCHEMA)] = None
    expires_at: Annotated[datetime | None, WithJsonSchema(TIME_SCHEMA)] = None
    owner: str = Field(default="", max_length=MAX_OWNER, json_schema_extra=_rule(ONE_LINE),
                       description="default: the editor (create) or unchanged")


class ArticleCreate(ArticleFields):
    id: str | None = Field(default=None, min_length=1, max_length=MAX_ID, description="default: a new UUID",
                           json_schema_extra=_rule(ARTICLE_ID))


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

"""Operators' feedback on articles: applied from a seat's "kb.feedback" mutation, listed for the editors."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import KbArticleVersion, KbFeedback, Seat
from central_server.services.case_args import error_places
from central_server.services.cases import INVALID_ARGS, INVALID_FIELD, Rejected
from central_server.services.seats import UUID_TEXT

MAX_COMMENT = 500
UNKNOWN_ARTICLE = "unknown_article"  # MutationResult.code: no such article version on the server
Verdict = Literal["helpful", "outdated", "wrong"]  # contract/protocol.py KB_VERDICTS


class FeedbackArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback_id: str = Field(pattern=UUID_TEXT)
    article_id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1, le=2**31 - 1)
    verdict: Verdict
    comment: str = Field(default="", max_length=MAX_COMMENT)


def _bad_chars(text: str, *, allowed: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text)


def apply_feedback(session: Session, *, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any],
                   created_at: str) -> None:
    """Store one feedback row (inside the caller's savepoint); the same feedback_id again changes nothing."""
    try:
        parsed = FeedbackArgs.model_validate(args)
    except ValidationError as exc:
        raise Rejected(f"知识库反馈的数据格式不正确（{error_places(exc)}），中心未接受。请升级本席位程序或联系系统管理员。",
                       INVALID_ARGS) from exc
    if parsed.feedback_id != entity_id:
        raise Rejected("知识库反馈的变更标识与反馈标识不一致，中心未接受。请联系系统管理员。", INVALID_ARGS)
    if _bad_chars(parsed.article_id, allowed=""):
        raise Rejected("知识库反馈所指的条目编号含有不可见的控制字符，中心未接受。", INVALID_FIELD)
    if _bad_chars(parsed.comment, allowed="\n\t"):
        raise Rejected("知识库反馈的意见含有不可见的控制字符，请删除后重新提交。", INVALID_FIELD)
    if session.get(KbArticleVersion, (parsed.article_id, parsed.version)) is None:
        raise Rejected(f"中心没有知识库条目 {parsed.article_id} 的第 {parsed.version} 版，这条反馈未保存。"
                       "该条目可能已更新，请在新版上重新反馈。", UNKNOWN_ARTICLE)
    if session.get(KbFeedback, parsed.feedback_id) is not None:
        return
    session.add(KbFeedback(
        id=parsed.feedback_id, article_id=parsed.article_id, version=parsed.version, verdict=parsed.verdict,
        comment=parsed.comment.strip(), operator_id=operator_id, seat_id=seat.id,
        created_at="" if _bad_chars(created_at, allowed="") else created_at[:40],
        received_at=datetime.now(UTC),
    ))
    session.flush()


def list_feedback(session: Session, *, article_id: str | None, limit: int, offset: int) -> list[KbFeedback]:
    """Feedback newest first, for one article or all."""
    query = select(KbFeedback)
    if article_id is not None:
        query = query.where(KbFeedback.article_id == article_id)
    order = (KbFeedback.received_at.desc(), KbFeedback.id)
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))


"""Operators' feedback on articles: applied from a seat's "kb.feedback" mutation, listed for the editors."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import KbArticleVersion, KbFeedback, Seat
from central_server.services.case_args import plain_errors
from central_server.services.cases import Rejected
from central_server.services.seats import UUID_TEXT

MAX_COMMENT = 500
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
        raise Rejected(f"invalid kb.feedback arguments: {plain_errors(exc)}") from exc
    if parsed.feedback_id != entity_id:
        raise Rejected("entity_id does not match args.feedback_id")
    if _bad_chars(parsed.article_id, allowed=""):
        raise Rejected("the article id of the feedback holds control characters")
    if _bad_chars(parsed.comment, allowed="\n\t"):
        raise Rejected("the feedback comment holds control characters")
    if session.get(KbArticleVersion, (parsed.article_id, parsed.version)) is None:
        raise Rejected(f"no knowledge-base article {parsed.article_id} at version {parsed.version} "
                       "on the server; the feedback was not stored")
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


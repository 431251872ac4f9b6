"""Sentence vectors on the server: one per article version (carried to seats in the pull) and one per case.

An article created or edited through the API is embedded in the same request, before its transaction opens, so the
change seats pull carries the vector at once. Versions without one (the encoder was off, a bulk import, the demo, a
new encoder id) and cases are embedded by the background worker (services/vector_worker.py) or by
`central-server kb embed`, through the functions here. Texts are read only to be encoded: never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from central_server.db.models import (
    OWN_EVENT_KIND,
    Case,
    CaseEvent,
    CaseVector,
    KbArticle,
    KbArticleVector,
    KbArticleVersion,
    KbChange,
)
from central_server.services.changes import next_change_id
from semantic import Encoder, VectorRecord, article_passage, case_passage, load_encoder, pack
from semantic.encoder import load_private_encoder

log = logging.getLogger(__name__)
OP_UPSERT = "upsert"  # = services/kb.OP_UPSERT (kb imports this module, so the constant is not imported back)


def server_encoder() -> Encoder | None:
    """The process's encoder (one thread), or None where it cannot run or is switched off (OPERATOR_DESK_ENCODER)."""
    return load_encoder(1)


def worker_encoder() -> Encoder | None:
    """The background worker's own model instance (semantic.encoder.load_private_encoder): a request's article or,
    in a seat's embedded server, the desk's query never waits behind the worker's passages."""
    return load_private_encoder(1)


def record_of(encoder: Encoder, vector: object) -> VectorRecord:
    import numpy as np

    v = np.asarray(vector, dtype=np.float32)
    return VectorRecord(encoder.id, int(v.size), pack(v))


def article_record(title: str, body: str) -> VectorRecord | None:
    """The vector of an article's text on the request path; None when the encoder is unavailable or fails (the
    background worker then embeds the version later: an edit is never refused for want of a vector)."""
    encoder = server_encoder()
    if encoder is None:
        return None
    try:
        return record_of(encoder, encoder.passage(article_passage(title, body)))
    except Exception as exc:  # the engine is optional: the article is saved all the same
        log.warning("article embedding failed (%s); the background worker will retry", type(exc).__name__)
        return None


def put_article_vector(session: Session, article_id: str, version: int, record: VectorRecord) -> None:
    """Store (or replace) the vector of one article version, inside the caller's transaction."""
    row = session.get(KbArticleVector, (article_id, version))
    if row is None:
        session.add(KbArticleVector(article_id=article_id, version=version, encoder=record.encoder, dim=record.dim,
                                    data=record.data, created_at=datetime.now(UTC)))
    else:
        row.encoder, row.dim, row.data, row.created_at = record.encoder, record.dim, record.data, datetime.now(UTC)


def wire_vector(encoder: str | None, dim: int | None, data: bytes | None) -> dict[str, object] | None:
    """The `vector` of a kb_article upsert (VectorRecord.to_json), or None when the version has none."""
    if encoder is None or dim is None or data is None:
        return None
    return VectorRecord(encoder, int(dim), bytes(data)).to_json()


@dataclass(frozen=True)
class PendingArticle:
    article_id: str
    version: int
    text: str


@dataclass(frozen=True)
class PendingCase:
    case_id: str
    text: str


def articles_without_vector(session: Session, encoder_id: str, limit: int) -> list[PendingArticle]:
    """Current versions of live articles with no vector from `encoder_id`, most recently changed first."""
    rows = session.execute(
        select(KbArticleVersion.article_id, KbArticleVersion.version, KbArticleVersion.title, KbArticleVersion.body)
        .join(KbArticle, (KbArticle.id == KbArticleVersion.article_id)
              & (KbArticle.current_version == KbArticleVersion.version))
        .outerjoin(KbArticleVector, (KbArticleVector.article_id == KbArticleVersion.article_id)
                   & (KbArticleVector.version == KbArticleVersion.version))
        .where(KbArticle.retired.is_(False),
               or_(KbArticleVector.article_id.is_(None), KbArticleVector.encoder != encoder_id))
        .order_by(KbArticle.changed_at.desc(), KbArticle.id).limit(limit)
    )
    return [PendingArticle(r.article_id, int(r.version), article_passage(r.title, r.body)) for r in rows]


def cases_without_vector(session: Session, encoder_id: str, limit: int, *, after_change: int | None = None
                         ) -> list[PendingCase]:
    """Cases with no vector from `encoder_id`, newest first, with the text to encode (the content).

    With `after_change`, only cases whose created event came after that change id: a walk of the feed's unique
    index instead of a scan of every case (the background worker's steady state, once the backlog is done)."""
    query = select(Case.id, Case.fields).outerjoin(CaseVector, CaseVector.case_id == Case.id).where(
        or_(CaseVector.case_id.is_(None), CaseVector.encoder != encoder_id))
    if after_change is None:
        query = query.order_by(Case.received_at.desc(), Case.id)
    else:
        query = query.join(CaseEvent, (CaseEvent.case_id == Case.id) & (CaseEvent.kind == OWN_EVENT_KIND)).where(
            CaseEvent.change_id > after_change).order_by(CaseEvent.change_id.desc())
    out = []
    for case_id, fields in session.execute(query.limit(limit)):
        content = fields.get("content") if isinstance(fields, dict) else None
        out.append(PendingCase(case_id, case_passage(content if isinstance(content, str) else "")))
    return out


def save_article_vectors(session: Session, done: Sequence[tuple[PendingArticle, VectorRecord]]) -> list[str]:
    """Store backfilled article vectors and record an upsert change for each (same version) so seats pull the
    article again with its vector. A version that stopped being current meanwhile (edited, retired) is skipped:
    its successor has its own vector or is pending. Commits; returns the article ids stored."""
    stored: list[str] = []
    for pending, record in done:
        article = session.scalars(select(KbArticle).where(KbArticle.id == pending.article_id)
                                  .with_for_update()).one_or_none()
        if article is None or article.retired or article.current_version != pending.version:
            continue
        put_article_vector(session, pending.article_id, pending.version, record)
        session.flush()
        session.add(KbChange(change_id=next_change_id(session), article_id=pending.article_id, op=OP_UPSERT,
                             version=pending.version))
        stored.append(pending.article_id)
    session.commit()
    return stored


def save_case_vectors(session: Session, done: Sequence[tuple[PendingCase, VectorRecord]]) -> list[str]:
    """Store case vectors (replacing another encoder's). Commits; returns the case ids stored."""
    for pending, record in done:
        row = session.get(CaseVector, pending.case_id)
        if row is None:
            session.add(CaseVector(case_id=pending.case_id, encoder=record.encoder, dim=record.dim, data=record.data,
                                   created_at=datetime.now(UTC)))
        else:
            row.encoder, row.dim, row.data, row.created_at = record.encoder, record.dim, record.data, \
                datetime.now(UTC)
    session.commit()
    return [pending.case_id for pending, _ in done]


def encode_each(encoder: Encoder, texts: Sequence[str], *, stop: Callable[[], bool] = lambda: False
                ) -> list[VectorRecord]:
    """Encode one text at a time (each call ~0.1-0.5 s), so a stop request waits for one text at most. Returns
    the records made before a stop."""
    records: list[VectorRecord] = []
    for text in texts:
        if stop():
            break
        records.append(record_of(encoder, encoder.passage(text)))
    return records

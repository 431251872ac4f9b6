"""The server's knowledge base: articles with immutable versions, edits with an optimistic check, retirement.

Every create, edit and retirement adds a `KbChange` stamped with `next_change_id` inside the writing
transaction, so every seat pulls it in commit order. Times of an article (effective_from, expires_at,
updated_at) are naive city time, as on the seat.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Invalid, NotFound
from central_server.db.models import KbArticle, KbArticleVersion, KbChange
from central_server.services.changes import next_change_id
from central_server.services.vectors import article_record, put_article_vector, server_encoder
from semantic import VectorRecord

MAX_ID = 200
MAX_TITLE = 200
MAX_BODY = 60_000
MAX_CATEGORY = 120
MAX_OWNER = 60
MAX_ITEMS = 30
MAX_ITEM = 60
OP_UPSERT = "upsert"
OP_DELETE = "delete"


@dataclass(frozen=True)
class ArticleContent:
    """What an editor writes; two versions with equal content are the same article text."""

    title: str
    body: str
    category: str = ""
    departments: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    effective_from: datetime | None = None
    expires_at: datetime | None = None
    owner: str = ""


@dataclass(frozen=True)
class ArticleState:
    """An article as the API shows it: the current version's content, and (on request) every version."""

    article: KbArticle
    current: KbArticleVersion
    versions: tuple[KbArticleVersion, ...] = ()


def city_now(timezone: ZoneInfo) -> datetime:
    """Now as naive city time, to the second (the knowledge base's time format)."""
    return datetime.now(timezone).replace(tzinfo=None, microsecond=0)


def _bad_chars(text: str, *, multiline: bool) -> bool:
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return True
    return False


def check_id(article_id: str) -> str:
    """A usable article id (stripped); raises Invalid."""
    article_id = article_id.strip()
    if not article_id or len(article_id) > MAX_ID:
        raise Invalid(f"an article id is 1-{MAX_ID} characters", code="invalid_article")
    if _bad_chars(article_id, multiline=False) or "/" in article_id:
        raise Invalid("an article id may not hold control characters or '/'", code="invalid_article")
    return article_id


def clean_content(content: ArticleContent) -> ArticleContent:
    """Stripped, checked content; raises Invalid with the first problem in plain words."""
    def text(name: str, value: str, limit: int, *, multiline: bool = False) -> str:
        value = value.strip() if not multiline else value.replace("\r\n", "\n").strip()
        if len(value) > limit:
            raise Invalid(f"'{name}' is longer than {limit} characters", code="invalid_article")
        if _bad_chars(value, multiline=multiline):
            raise Invalid(f"'{name}' holds control characters", code="invalid_article")
        return value

    def items(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
        if len(values) > MAX_ITEMS:
            raise Invalid(f"'{name}' has more than {MAX_ITEMS} entries", code="invalid_article")
        out = tuple(dict.fromkeys(text(name, v, MAX_ITEM) for v in values))
        return tuple(v for v in out if v)

    cleaned = ArticleContent(
        title=text("title", content.title, MAX_TITLE),
        body=text("body", content.body, MAX_BODY, multiline=True),
        category=text("category", content.category, MAX_CATEGORY).strip("/"),
        departments=items("departments", content.departments),
        keywords=items("keywords", content.keywords),
        effective_from=content.effective_from,
        expires_at=content.expires_at,
        owner=text("owner", content.owner, MAX_OWNER),
    )
    if not cleaned.title and not cleaned.body:
        raise Invalid("an article needs a title or a body", code="invalid_article")
    eff, exp = cleaned.effective_from, cleaned.expires_at
    for name, when in (("effective_from", eff), ("expires_at", exp)):
        if when is not None and not 1900 <= when.year <= 9999:
            raise Invalid(f"'{name}' is not a plausible date", code="invalid_article")
    if eff is not None and exp is not None and exp <= eff:
        raise Invalid("'expires_at' is not after 'effective_from'", code="invalid_article")
    return cleaned


def content_of(v: KbArticleVersion) -> ArticleContent:
    return ArticleContent(title=v.title, body=v.body, category=v.category, departments=tuple(v.departments),
                          keywords=tuple(v.keywords), effective_from=v.effective_from, expires_at=v.expires_at,
                          owner=v.owner)


def add_version(session: Session, article: KbArticle, content: ArticleContent, *, updated_at: datetime,
                edited_by: str, vector: VectorRecord | None = None) -> KbArticleVersion:
    """Append the next version, point the article at it and record the change (inside the caller's transaction).

    `vector`, the sentence vector of the content's title and body, is stored with the version, so the change seats
    pull carries it; without one the background worker embeds the version later."""
    version = KbArticleVersion(
        article_id=article.id, version=article.current_version + 1, title=content.title, body=content.body,
        category=content.category, departments=list(content.departments), keywords=list(content.keywords),
        effective_from=content.effective_from, expires_at=content.expires_at, owner=content.owner,
        updated_at=updated_at, edited_by=edited_by[:16], created_at=datetime.now(UTC),
    )
    session.add(version)
    article.current_version = version.version
    article.changed_at = version.created_at
    session.flush()
    if vector is not None:
        put_article_vector(session, article.id, version.version, vector)
    session.add(KbChange(change_id=next_change_id(session), article_id=article.id, op=OP_UPSERT,
                         version=version.version))
    session.flush()
    return version


def new_article(session: Session, article_id: str) -> KbArticle:
    """An empty article row (version 0) to add the first version to; flushed."""
    now = datetime.now(UTC)
    article = KbArticle(id=article_id, current_version=0, retired=False, created_at=now, changed_at=now)
    session.add(article)
    session.flush()
    return article


def _locked(session: Session, article_id: str) -> KbArticle:
    article = session.scalars(select(KbArticle).where(KbArticle.id == article_id).with_for_update()).one_or_none()
    if article is None:
        raise NotFound(f"no article {article_id}", code="article_not_found")
    return article


def current_version(session: Session, article: KbArticle) -> KbArticleVersion:
    version = session.get(KbArticleVersion, (article.id, article.current_version))
    assert version is not None
    return version


def _embed(session: Session, content: ArticleContent) -> VectorRecord | None:
    """The vector of the content's text, made with no transaction open (encoding takes ~0.1-0.3 s); None where
    the encoder is not available (the background worker embeds the version later)."""
    if server_encoder() is None:
        return None
    session.rollback()
    return article_record(content.title, content.body)


def create_article(session: Session, *, article_id: str, content: ArticleContent, edited_by: str,
                   timezone: ZoneInfo) -> ArticleState:
    """Version 1 of a new article, and its change; commits. A taken id → Conflict."""
    article_id = check_id(article_id)
    content = clean_content(content)
    if content.owner == "":
        content = replace(content, owner=edited_by)
    if session.get(KbArticle, article_id) is not None:
        raise Conflict(f"article {article_id} already exists", code="article_exists")
    vector = _embed(session, content)
    try:
        article = new_article(session, article_id)
        current = add_version(session, article, content, updated_at=city_now(timezone), edited_by=edited_by,
                              vector=vector)
        session.commit()
    except IntegrityError as exc:  # a concurrent create of the same id won
        session.rollback()
        raise Conflict(f"article {article_id} already exists", code="article_exists") from exc
    return ArticleState(article, current, (current,))


def edit_article(session: Session, *, article_id: str, content: ArticleContent, base_version: int,
                 edited_by: str, timezone: ZoneInfo) -> ArticleState:
    """A new version when base_version is still current (else Conflict); unchanged content adds none. Commits.

    The text is encoded before the article is locked, so a slow encoder holds no lock or transaction."""
    content = clean_content(content)
    vector = _embed(session, content)
    article = _locked(session, article_id)  # edits of one article serialise here
    if article.retired:
        raise Conflict(f"article {article_id} is retired and cannot be edited", code="article_retired")
    if base_version != article.current_version:
        raise Conflict(f"article {article_id} was changed by someone else: it is at version "
                       f"{article.current_version}, your edit started from version {base_version}",
                       code="version_conflict")
    current = current_version(session, article)
    if content.owner == "":
        content = replace(content, owner=current.owner)
    if content != content_of(current):
        current = add_version(session, article, content, updated_at=city_now(timezone), edited_by=edited_by,
                              vector=vector)
    session.commit()
    return ArticleState(article, current, tuple(versions(session, article_id)))


def retire_article(session: Session, *, article_id: str) -> ArticleState:
    """Hide the article from every seat (a tombstone change); retiring twice changes nothing. Commits."""
    article = _locked(session, article_id)
    if not article.retired:
        article.retired = True
        article.changed_at = datetime.now(UTC)
        session.add(KbChange(change_id=next_change_id(session), article_id=article.id, op=OP_DELETE,
                             version=article.current_version))
    session.commit()
    return ArticleState(article, current_version(session, article), tuple(versions(session, article_id)))


def get_article(session: Session, article_id: str) -> ArticleState:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(f"no article {article_id}", code="article_not_found")
    return ArticleState(article, current_version(session, article), tuple(versions(session, article_id)))


def versions(session: Session, article_id: str) -> list[KbArticleVersion]:
    """Every version of an article, newest first."""
    return list(session.scalars(select(KbArticleVersion).where(KbArticleVersion.article_id == article_id)
                                .order_by(KbArticleVersion.version.desc())))


def time_text(when: datetime | None) -> str | None:
    """The wire form of an article time: ISO without zone (naive city time), or None."""
    return None if when is None else when.replace(microsecond=0).isoformat()


def wire_data(article_id: str, v: KbArticleVersion, vector: dict[str, object] | None = None
              ) -> dict[str, object]:
    """The `data` of a kb_article upsert change (contract/protocol.py ENTITY_KB_ARTICLE); `vector` (from
    services/vectors.wire_vector) only when the server holds one for this version."""
    data: dict[str, object] = {
        "id": article_id, "title": v.title, "body": v.body, "category": v.category,
        "departments": list(v.departments), "keywords": list(v.keywords),
        "effective_from": time_text(v.effective_from), "expires_at": time_text(v.expires_at),
        "version": v.version, "owner": v.owner, "updated_at": time_text(v.updated_at),
    }
    if vector is not None:
        data["vector"] = vector
    return data

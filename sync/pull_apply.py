"""Apply pulled changes and save the cursor in one transaction. Case history is append-only: no conflicts.

Knowledge-base changes go to a second SQLite file (`<data dir>/kb.sqlite`, knowledge_base.KnowledgeBase) and are
applied first, idempotently (an upsert of a version the seat already has is a no-op): a crash between the two
files only replays them, and the cursor never moves past a change the knowledge base has not taken.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, ProgrammingError

from contract.events import CaseEvent, apply_event
from contract.names import ENTITY_CASE_EVENT, ENTITY_KB_ARTICLE
from contract.protocol import Change
from operator_app.errors import StoreError
from operator_app.services.intake import number_taken
from operator_app.store import schema
from operator_app.store.case_rows import case_row, reproject
from operator_app.store.database import Store
from semantic.codec import VectorRecord
from sync.quarantine import quarantine

if TYPE_CHECKING:
    from knowledge_base import Article, KnowledgeBase

log = logging.getLogger(__name__)
KB_FILE = "kb.sqlite"
# What a change whose data the seat cannot use raises (missing keys, wrong shapes, values the store refuses).
# Not OperationalError: a full disk or a locked file is the store's trouble, and the pass is retried.
UNUSABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError, DataError, IntegrityError, InterfaceError,
            ProgrammingError)


def kb_path_for(store: Store) -> Path:
    """The seat's knowledge-base file: beside the store, in the data dir."""
    return store.path.parent / KB_FILE


@dataclass(frozen=True)
class PullOutcome:
    applied: int
    case_ids: tuple[str, ...]
    kb_applied: int = 0  # knowledge-base articles added, changed or retired
    kb_article_ids: tuple[str, ...] = ()
    quarantined: int = 0  # changes set aside because they cannot be applied here (sync/quarantine.py)


def has_kb_changes(changes: list[Change]) -> bool:
    return any(c.entity == ENTITY_KB_ARTICLE for c in changes)


def apply_pulled(store: Store, changes: list[Change], cursor: int, *, kb: KnowledgeBase | None = None
                 ) -> PullOutcome:
    """Apply knowledge-base changes to `kb` (skipped when None), then in one store transaction append events
    we do not have yet, re-derive those cases' projection rows and save the cursor.

    A change that cannot be applied (its data lacks something or has the wrong shape) is quarantined
    (sync/quarantine.py) and the rest goes on: one bad change never stops the seat's sync."""
    unusable: list[tuple[Change, Exception]] = []
    kb_ids = apply_kb_changes(kb, changes, unusable=unusable) if kb is not None else []
    events = [c for c in changes if c.entity == ENTITY_CASE_EVENT and c.op == "upsert"]
    with store.write() as conn:
        have = _known_events(conn, events)  # most are the seat's own, pulled back: one lookup for them all
        try:
            with conn.begin_nested():  # the whole page at once: the usual case, one savepoint
                applied, touched = _apply_events(conn, events, dict(have), None)
        except UNUSABLE:  # something in it cannot be applied: again, change by change, setting those aside
            applied, touched = _apply_events(conn, events, dict(have), unusable)
        for change, error in unusable:
            quarantine(conn, change, error)
        conn.execute(update(schema.sync_state).values(pull_cursor=cursor))
    return PullOutcome(applied, tuple(sorted(touched)), len(kb_ids), tuple(dict.fromkeys(kb_ids)), len(unusable))


def _apply_events(conn: Connection, events: list[Change], have: dict[str, int],
                  unusable: list[tuple[Change, Exception]] | None) -> tuple[int, set[str]]:
    """Append the events the store does not have and re-derive their cases. With `unusable`, each change is
    applied in its own savepoint with its case re-derived there, and one that fails is rolled back and added to
    `unusable`; without it, the first failure propagates.

    `have`: the ids of events the store holds, with their seq here. An event this seat made after the case was
    created (a correction) takes the place the server gave it when it comes back."""
    touched: set[str] = set()
    applied = 0
    for change in events:
        event_id = _event_id(change.data)
        if event_id in have and not _moved(change.data, have[event_id]):
            continue
        try:
            with conn.begin_nested() if unusable is not None else nullcontext():
                if event_id in have:
                    case_id = _adopt_seq(conn, change.data)
                    new = False
                else:
                    if not _append_event(conn, change.data):
                        continue
                    case_id, new = str(change.data["case_id"]), True
                if unusable is not None:
                    reproject(conn, case_id)  # here, so a history this change cannot extend fails here
        except UNUSABLE as exc:
            if unusable is None:
                raise
            unusable.append((change, exc))
            continue
        if event_id is not None:
            have[event_id] = int(change.data["event"]["seq"])
        touched.add(case_id)
        applied += new
    if unusable is None:
        for case_id in touched:
            reproject(conn, case_id)
    return applied, touched


def _moved(data: dict[str, Any], local_seq: int) -> bool:
    """A known event the server placed elsewhere in the case's history than this store did."""
    event = data.get("event")
    return isinstance(event, dict) and event.get("kind") != "created" and event.get("seq") != local_seq


def apply_kb_changes(kb: KnowledgeBase, changes: list[Change], *,
                     unusable: list[tuple[Change, Exception]] | None = None) -> list[str]:
    """Upsert newer versions and retire tombstoned articles, in feed order; returns the ids that changed.

    Idempotent: a version the seat already has (or an older one) is skipped, so replays never revive a retired
    article. A change the seat cannot read is skipped (and added to `unusable`, to be quarantined); a
    knowledge-base file that cannot be written raises StoreError and the cursor stays where it was.
    """
    from knowledge_base import KnowledgeBaseError

    changed: list[str] = []
    for change in changes:
        if change.entity != ENTITY_KB_ARTICLE:
            continue
        try:
            if change.op == "delete":
                current = kb.get(change.id)
                if current is not None and not current.retired:
                    kb.retire(change.id)
                    changed.append(change.id)
                continue
            article = article_from_wire(change.data)
            vector = vector_from_wire(change.data)
            current = kb.get(article.id)
            if current is not None and current.version is not None and current.version >= (article.version or 0):
                if vector is not None and current.version == article.version:
                    # the server embedded a version the seat has (a backfill): the vector alone is new
                    kb.set_vector(article.id, current.version, vector)
                    changed.append(article.id)
                continue
            kb.upsert(article)
            if vector is not None:
                kb.set_vector(article.id, article.version or 0, vector)
            changed.append(article.id)
        except (KnowledgeBaseError, ValueError, TypeError, KeyError) as exc:
            log.warning("skipped knowledge-base change for %r: %s", change.id[:200], exc)
            if unusable is not None:
                unusable.append((change, exc))
        except sqlite3.Error as exc:
            raise StoreError(f"知识库文件无法写入（{exc}），同步稍后重试") from exc
    return changed


def vector_from_wire(data: dict[str, Any]) -> VectorRecord | None:
    """The article's sentence vector from a kb_article upsert, or None when it has none or it is malformed (the
    article is applied all the same and searched lexically until a good vector comes)."""
    raw = data.get("vector")
    if raw is None:
        return None
    try:
        return VectorRecord.from_json(raw)
    except ValueError as exc:
        log.warning("dropped a malformed vector of knowledge-base article %r: %s", str(data.get("id"))[:200], exc)
        return None


def article_from_wire(data: dict[str, Any]) -> Article:
    """An Article from the `data` of a kb_article upsert (contract/protocol.py)."""
    from contract.kb_article import parse_time
    from knowledge_base import Article

    def texts(key: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{key}' is not a list of texts")
        return tuple(value)

    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("'version' is not a positive whole number")
    return Article(
        id=str(data["id"]), title=str(data.get("title") or ""), body=str(data.get("body") or ""),
        category=str(data.get("category") or ""), departments=texts("departments"), keywords=texts("keywords"),
        effective_from=parse_time(data.get("effective_from")), expires_at=parse_time(data.get("expires_at")),
        version=version, owner=str(data.get("owner") or ""), updated_at=parse_time(data.get("updated_at")),
    )


def _event_id(data: dict[str, Any]) -> str | None:
    event = data.get("event")
    value = event.get("id") if isinstance(event, dict) else None
    return value if isinstance(value, str) else None


def _known_events(conn: Connection, events: list[Change]) -> dict[str, int]:
    """The ids of these events that the store holds, with their seq here."""
    e = schema.case_events.c
    ids = list({i for c in events if (i := _event_id(c.data)) is not None})
    known: dict[str, int] = {}
    for start in range(0, len(ids), 500):  # SQLite caps the number of bound parameters
        known.update((i, s) for i, s in conn.execute(select(e.id, e.seq).where(e.id.in_(ids[start:start + 500]))))
    return known


def _make_room(conn: Connection, case_id: str, seq: int, event_id: str) -> None:
    """The server's history puts `event_id` at `seq`: an event of this seat's own that holds that place here (not
    yet pulled back from the server) moves after every event the case has, where the server will put it too."""
    e = schema.case_events.c
    other = conn.execute(select(e.id).where(e.case_id == case_id, e.seq == seq, e.id != event_id)).scalar()
    if other is not None:
        top = int(conn.execute(select(func.max(e.seq)).where(e.case_id == case_id)).scalar_one())
        conn.execute(update(schema.case_events).where(e.id == other).values(seq=top + 1))


def _adopt_seq(conn: Connection, data: dict[str, Any]) -> str:
    """A known event came back from the server at another place in the history: take that place."""
    event = data["event"]
    case_id, seq = str(data["case_id"]), int(event["seq"])
    _make_room(conn, case_id, seq, str(event["id"]))
    e = schema.case_events.c
    conn.execute(update(schema.case_events).where(e.id == event["id"], e.case_id == case_id).values(seq=seq))
    return case_id


def _append_event(conn: Connection, data: dict[str, Any]) -> bool:
    """Append an event the store does not have (the caller checked its id)."""
    event = data["event"]
    case_known = conn.execute(select(schema.cases.c.id).where(schema.cases.c.id == data["case_id"])).first()
    if case_known is None and event["kind"] != "created":
        return False  # a case this store never had (restored from an old backup): nothing to attach it to
    if case_known is None:  # the case row first: its events refer to it
        number = str(event["payload"]["number"])
        if conn.execute(select(schema.cases.c.id).where(schema.cases.c.number == number)).first() is not None:
            # A restored store gave this number to a new case before it reached the server (which refuses that
            # case, with its reason, in the rejected list). The server keeps this one; the pull must not stall.
            log.warning("case %s from the server not stored here: this store used its number again", number)
            return False
        _insert_projection(conn, data["case_id"], event)
    else:
        _make_room(conn, str(data["case_id"]), int(event["seq"]), str(event["id"]))
    conn.execute(insert(schema.case_events).values(
        id=event["id"], case_id=data["case_id"], seq=int(event["seq"]), kind=event["kind"],
        payload_json=json.dumps(event.get("payload", {}), ensure_ascii=False),
        operator_id=str(event.get("operator_id", "")), recorded_at=event["recorded_at"],
    ))
    return True


def _insert_projection(conn: Connection, case_id: str, event: dict[str, Any]) -> None:
    """A case this store did not have (made here before the store was restored from a backup)."""
    number_taken(conn, str(event["payload"]["number"]))
    created = CaseEvent(event["id"], case_id, 1, event["kind"], event["payload"], str(event.get("operator_id", "")),
                        event["recorded_at"])
    conn.execute(insert(schema.cases).values(case_row(apply_event(None, created), synced=True)))

"""Knowledge-base work for the desk's panels, run on the read pool (never on the GUI thread).

Each reader thread keeps its own read-only KnowledgeBase (threading.local), reopened when the file is replaced.
`knowledge_base` (numpy) is imported here on first use, on the worker, so the seat starts without it.
No Qt in this module.
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from knowledge_base import Article, KnowledgeBase, SearchHit

KB_FILE = "kb.sqlite"
T = TypeVar("T")


class KbNotSynced(Exception):
    """The seat has no knowledge base yet (kb.sqlite missing or still empty): the panels say so quietly."""


@dataclass(frozen=True)
class SearchRequest:
    query: str
    category: str = ""
    department: str = ""
    current_only: bool = False
    limit: int = 20


@dataclass(frozen=True)
class Facets:
    """Values the filters offer: top-level categories and departments present in the local knowledge base."""

    categories: tuple[str, ...]
    departments: tuple[str, ...]


_local = threading.local()


def kb_path(data_dir: Path) -> Path:
    return Path(data_dir) / KB_FILE


def _open(path: Path) -> KnowledgeBase:
    """This thread's read-only connection to path; reopened when the file was replaced (a re-sync)."""
    try:
        st = os.stat(path)
    except OSError:
        raise KbNotSynced(str(path)) from None
    identity = (str(path), st.st_dev, st.st_ino)
    cached = getattr(_local, "kb", None)
    if cached is not None and getattr(_local, "identity", None) == identity:
        return cached
    if cached is not None:
        cached.close()
        _local.kb = None
    from knowledge_base import KnowledgeBase, KnowledgeBaseError

    try:
        kb = KnowledgeBase.open(path, readonly=True)
    except (KnowledgeBaseError, sqlite3.Error):
        raise KbNotSynced(str(path)) from None
    _local.kb, _local.identity = kb, identity
    return kb


def _with_kb(path: Path, fn: Callable[[KnowledgeBase], T]) -> T:
    """Run fn on this thread's connection; a file that has no tables yet (the sync is creating it) is not synced."""
    try:
        return fn(_open(path))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise KbNotSynced(str(path)) from None
        raise


def preload() -> None:
    """Import search and indexing (knowledge_base, numpy, the pinyin-initials table): run on a worker while the
    operator is idle, so the first search does not hold the interpreter lock (numpy's import: 30 ms) while the GUI
    thread waits."""
    from knowledge_base.pinyin_keys import preload as load_pinyin

    load_pinyin()


def probe(path: Path) -> bool:
    """Whether a knowledge-base file exists (no import, no connection)."""
    return Path(path).is_file()


_CITY_TIMEZONE = ["Asia/Shanghai"]


def set_city_timezone(name: str) -> None:
    """Article dates are the city's local time; 'now' for expiry must be too (the seat may run in UTC)."""
    _CITY_TIMEZONE[0] = name


def city_now() -> datetime:
    """Naive local time in the city, the form the knowledge base compares article dates with."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(_CITY_TIMEZONE[0])).replace(tzinfo=None)


def search(path: Path, request: SearchRequest, now: datetime | None = None,
           query_vector: np.ndarray | None = None) -> list[SearchHit]:
    """Search with the panel's filters; never raises on odd text. With the query's vector: the fused ranking."""
    at = now or city_now()
    return _with_kb(path, lambda kb: kb.search(
        request.query, limit=request.limit, category=request.category or None,
        department=request.department or None, current_only=request.current_only, now=at,
        query_vector=query_vector))


def suggest(path: Path, case_text: str, limit: int = 5, case_vector: np.ndarray | None = None) -> list[SearchHit]:
    """Articles relevant to the case content typed so far (current ones only); fused with the case text's vector
    when there is one."""
    at = city_now()
    return _with_kb(path, lambda kb: kb.suggest(case_text, limit, now=at, case_vector=case_vector))


def vector_count(path: Path) -> int:
    """How many articles in force carry a vector from this seat's encoder (0: the search can only be lexical)."""
    from semantic.encoder import encoder_id

    return _with_kb(path, lambda kb: kb.vector_count(encoder_id()))


def get_article(path: Path, article_id: str) -> Article | None:
    return _with_kb(path, lambda kb: kb.get(article_id))


def facets(path: Path) -> Facets:
    """Filter values from the articles in force. TODO(kb): move into knowledge_base as KnowledgeBase.facets()."""
    return _with_kb(path, _facets)


def _facets(kb: KnowledgeBase) -> Facets:
    conn: sqlite3.Connection = kb._conn  # read-only; knowledge_base has no public API for this yet
    cats: set[str] = set()
    depts: set[str] = set()
    for (category,) in conn.execute("SELECT DISTINCT category FROM articles WHERE retired = 0"):
        if category:
            cats.add(str(category).split("/")[0])
    for (dept,) in conn.execute("SELECT DISTINCT value FROM articles, json_each(articles.departments) "
                                "WHERE retired = 0"):
        if dept:
            depts.add(str(dept))
    return Facets(tuple(sorted(cats)), tuple(sorted(depts)))


# ---- pure helpers (any thread) -----------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
ANSWER_HEADINGS = ("答复口径", "答复要点", "答复")


def answer_text(body: str) -> str:
    """The text to put into the case's answer: the article's 答复口径 section when it has one, else the whole
    body, as plain text (Markdown marks removed)."""
    lines = body.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and m.group(2) in ANSWER_HEADINGS:
            level = len(m.group(1))
            section = []
            for rest in lines[i + 1:]:
                h = _HEADING.match(rest)
                if h and len(h.group(1)) <= level:
                    break
                section.append(rest)
            text = markdown_to_plain("\n".join(section))
            if text:
                return text
    return markdown_to_plain(body)


_INLINE = re.compile(r"(\*\*|__|`|~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BULLET = re.compile(r"^\s*[-*+]\s+")


def markdown_to_plain(text: str) -> str:
    """Headings, emphasis, links and bullets of simple Markdown as plain text; blank runs collapsed."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        m = _HEADING.match(line)
        if m:
            line = m.group(2)
        line = _LINK.sub(r"\1", line)
        line = _BULLET.sub("· ", line)
        line = _INLINE.sub("", line).rstrip()
        if line.startswith(">"):
            line = line.lstrip("> ")
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out).strip()


def marked_html(text: str, spans: tuple[tuple[int, int], ...], *, color: str = "") -> str:
    """text as HTML with each (start, end) span in <b>; everything escaped, spans clipped and ordered."""
    parts: list[str] = []
    pos = 0
    open_tag = f'<b style="color:{color}">' if color else "<b>"
    for a, b in sorted(spans):
        a, b = max(a, pos), min(b, len(text))
        if a >= b:
            continue
        parts.append(html.escape(text[pos:a]))
        parts.append(open_tag + html.escape(text[a:b]) + "</b>")
        pos = b
    parts.append(html.escape(text[pos:]))
    return "".join(parts)

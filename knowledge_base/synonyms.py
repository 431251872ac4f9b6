"""Synonym groups from a plain text file editors extend; loaded once per path and reloaded when it changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.text import normalize

DEFAULT_SYNONYMS = Path(__file__).resolve().parent.parent / "resources" / "kb" / "synonyms.txt"


@dataclass(frozen=True)
class SynonymTable:
    """Groups of interchangeable terms (normalised); immutable, safe to share between threads."""

    groups: tuple[tuple[str, ...], ...]

    def alternatives(self, norm_query: str, limit: int = 12) -> list[str]:
        """Other members of every group with a member found in the query."""
        out: list[str] = []
        for group in self.groups:
            if any(term in norm_query for term in group):
                out.extend(term for term in group if term not in norm_query)
            if len(out) >= limit:
                break
        return out[:limit]


def parse_synonyms(text: str) -> SynonymTable:
    """One group per line, terms separated by spaces, commas or '='; '#' starts a comment."""
    groups: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0]
        for sep in ",，=、;；":
            line = line.replace(sep, " ")
        terms = tuple(dict.fromkeys(normalize(t).strip() for t in line.split()))
        terms = tuple(t for t in terms if t)
        if len(terms) >= 2:
            groups.append(terms)
    return SynonymTable(tuple(groups))


_cache: dict[Path, tuple[float, SynonymTable]] = {}
_lock = threading.Lock()


def load_synonyms(path: Path | None = None) -> SynonymTable:
    """The table from path (default resources/kb/synonyms.txt); empty when the file is missing."""
    target = path or DEFAULT_SYNONYMS
    try:
        mtime = target.stat().st_mtime
    except OSError:
        return SynonymTable(())
    with _lock:
        cached = _cache.get(target)
        if cached and cached[0] == mtime:
            return cached[1]
    table = parse_synonyms(target.read_text(encoding="utf-8"))
    with _lock:
        _cache[target] = (mtime, table)
    return table

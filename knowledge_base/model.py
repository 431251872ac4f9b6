"""Value types of the knowledge base: search hits, import reports (immutable, thread-safe); articles are
contract.kb_article.Article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class KnowledgeBaseError(Exception):
    """Raised for unusable input to a knowledge-base write (search itself never raises on bad text)."""


@dataclass(frozen=True)
class SearchHit:
    """One result. highlights are (start, end) offsets into snippet; title_highlights into title."""

    id: str
    score: float
    title: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    title_highlights: tuple[tuple[int, int], ...]
    expired: bool
    version: int
    category: str = ""

    def marked_snippet(self, start: str = "<b>", end: str = "</b>") -> str:
        """The snippet with each highlight wrapped in start/end markers (escape HTML yourself if needed)."""
        return mark(self.snippet, self.highlights, start, end)


def mark(text: str, spans: tuple[tuple[int, int], ...], start: str, end: str) -> str:
    """Wrap spans of text in markers."""
    out: list[str] = []
    pos = 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(start + text[a:b] + end)
        pos = b
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class ImportIssue:
    """A line of an import file that was not imported, with a plain reason."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What import_jsonl did: counts and the rejected lines."""

    added: int = 0
    updated: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "imported": self.imported,
            "errors": [{"line": i.line, "reason": i.reason} for i in self.issues],
        }


def format_time(dt: datetime | None) -> str | None:
    """Stored form of a time: sortable text, or None."""
    return None if dt is None else dt.strftime(TIME_FORMAT)


def load_time(text: str | None) -> datetime | None:
    """Inverse of format_time."""
    return None if text is None else datetime.strptime(text, TIME_FORMAT)

"""Value types of the knowledge base: articles, search hits, import reports (immutable, thread-safe)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class KnowledgeBaseError(Exception):
    """Raised for unusable input to a knowledge-base write (search itself never raises on bad text)."""


@dataclass(frozen=True)
class Article:
    """One knowledge-base article; times are naive local (city) time."""

    id: str
    title: str
    body: str
    category: str = ""
    departments: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    effective_from: datetime | None = None
    expires_at: datetime | None = None
    version: int | None = None  # None: the store assigns previous version + 1
    owner: str = ""
    updated_at: datetime | None = None
    retired: bool = False

    def is_expired(self, now: datetime) -> bool:
        """Whether the expiry time has passed at now."""
        return self.expires_at is not None and self.expires_at <= now

    def is_in_effect(self, now: datetime) -> bool:
        """Whether the article has taken effect at now."""
        return self.effective_from is None or self.effective_from <= now


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


def parse_time(value: object) -> datetime | None:
    """Parse None, a date, a datetime or an ISO string ('2024-05-01', '2024-05-01T08:00:00+08:00')."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        dt = _parse_text(value)
    else:
        raise ValueError(f"not a date or time: {type(value).__name__}")
    if dt.tzinfo is not None:
        dt = dt.astimezone().replace(tzinfo=None)
    return dt.replace(microsecond=0)


_LOOSE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?)?$"
)


def _parse_text(value: str) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    m = _LOOSE.match(text)
    if m:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, h, mi, sec)
        except ValueError:
            pass
    raise ValueError(f"not a date or time: {value[:40]!r}")


def format_time(dt: datetime | None) -> str | None:
    """Stored form of a time: sortable text, or None."""
    return None if dt is None else dt.strftime(TIME_FORMAT)


def load_time(text: str | None) -> datetime | None:
    """Inverse of format_time."""
    return None if text is None else datetime.strptime(text, TIME_FORMAT)

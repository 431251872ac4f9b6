"""A knowledge-base article and its JSON line format: shared by the seat's importer and the server's.

Times are naive local (city) time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

MAX_ID_CHARS = 200


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


def _text_list(value: object, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.replace("，", ",").replace("、", ",").split(",")
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise ValueError(f"'{name}' must be a list of texts")


def parse_article(obj: object, *, owner: str = "") -> Article:
    """An Article from one decoded JSON line; ValueError with a plain reason when unusable."""
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    raw_id = obj.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ValueError("missing 'id'")
    if len(raw_id) > MAX_ID_CHARS:
        raise ValueError("'id' is too long")
    title, body = obj.get("title", ""), obj.get("body", "")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise ValueError("'title' must be text")
    if not isinstance(body, str):
        raise ValueError("'body' must be text" if body is not None else "missing 'body'")
    if not title.strip() and not body.strip():
        raise ValueError("both 'title' and 'body' are empty")
    category = obj.get("category") or ""
    if not isinstance(category, str):
        raise ValueError("'category' must be text")
    version = obj.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        raise ValueError("'version' must be a positive whole number")
    times = {}
    for key in ("effective_from", "expires_at", "updated_at"):
        try:
            times[key] = parse_time(obj.get(key))
        except ValueError as exc:
            raise ValueError(f"'{key}': {exc}") from None
    eff, exp = times["effective_from"], times["expires_at"]
    if eff and exp and exp <= eff:
        raise ValueError("'expires_at' is not after 'effective_from'")
    item_owner = obj.get("owner") or owner
    return Article(
        id=raw_id.strip(),
        title=title.strip(),
        body=body,
        category=category.strip().strip("/"),
        departments=_text_list(obj.get("departments"), "departments"),
        keywords=_text_list(obj.get("keywords"), "keywords"),
        effective_from=eff,
        expires_at=exp,
        version=version,
        owner=item_owner if isinstance(item_owner, str) else "",
        updated_at=times["updated_at"],
        retired=bool(obj.get("retired", False)),
    )

"""Same-issue candidates from this seat's own cases, for when the central server cannot be asked (offline): open
cases of the last 30 days with the same phone, or with similar content (character bigrams, as the server compares
them; the server also compares places, which this fallback does not know)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from contract.enums import CaseStatus
from contract.phone import PhoneFormatError, mask_phone, normalize_phone
from operator_app.store import schema
from operator_app.store.database import Store

WINDOW = timedelta(days=30)
LIMIT = 5
MIN_SIMILARITY = 0.35
SCAN = 500
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]+")


@dataclass(frozen=True)
class LocalCandidate:
    number: str
    status: str
    category: str
    accepted_at: str
    reasons: tuple[str, ...]  # "same_phone" and/or "similar_content"
    phone_masked: str
    title: str
    score: float


def local_same_issue(store: Store, *, phone: str, content: str, now: datetime | None = None,
                     limit: int = LIMIT) -> list[LocalCandidate]:
    since = ((now or datetime.now(UTC)) - WINDOW).isoformat(timespec="milliseconds")
    try:
        normalised = normalize_phone(phone) if phone.strip() else ""
    except PhoneFormatError:
        normalised = ""
    words = _bigrams(content)
    if not normalised and not words:
        return []
    c = schema.cases.c
    with store.read() as conn:
        rows = conn.execute(select(c.number, c.status, c.category, c.created_at, c.phone, c.content)
                            .where(c.created_at >= since, c.status != CaseStatus.CLOSED.value)
                            .order_by(c.created_at.desc()).limit(SCAN)).all()
    out = []
    for r in rows:
        reasons = []
        if normalised and r.phone == normalised:
            reasons.append("same_phone")
        similarity = _cosine(words, _bigrams(r.content))
        if similarity >= MIN_SIMILARITY:
            reasons.append("similar_content")
        if reasons:
            out.append(LocalCandidate(r.number, r.status, r.category, r.created_at, tuple(reasons),
                                      mask_phone(r.phone), _title(r.content),
                                      round(similarity + (1.0 if "same_phone" in reasons else 0.0), 4)))
    out.sort(key=lambda x: -x.score)  # rows came newest first: ties stay so
    return out[:limit]


def _bigrams(text: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", text)[:120]
    return frozenset(run[i:i + 2] for run in _KEEP.findall(text) for i in range(len(run) - 1))


def _cosine(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def _title(content: str) -> str:
    sentence = re.split(r"[。！？!?\n]", content.strip(), maxsplit=1)[0]
    sentence = re.sub(r"\d[\d\s-]{3,}\d", "***", sentence)
    return sentence[:40] + ("…" if len(sentence) > 40 else "")

"""Text normalisation and character n-grams shared by training and prediction.

Training (scikit-learn) and prediction (numpy) call the same functions here, so the
features a shipped model sees at the seat are exactly the ones it was trained on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Longest text (in characters) a field contributes to features; the rest is ignored.
MAX_FIELD_CHARS = 4000

_PLACEHOLDER = re.compile(r"[a-z]\d*(?=[市区县省])")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def normalise(text: str, *, limit: int = MAX_FIELD_CHARS) -> str:
    """NFKC, lower case, digits folded to 0, pseudonymised place codes ("A2区") folded, spaces collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: limit * 2]).lower()
    text = _PLACEHOLDER.sub("#", text)
    text = _DIGITS.sub("0", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:limit]


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """All character n-grams of length low..high of an already normalised text."""
    out: list[str] = []
    for n in range(low, high + 1):
        if n == 1:
            out.extend(text)
        elif len(text) >= n:
            out.extend(map("".join, zip(*(text[i:] for i in range(n)), strict=False)))
    return out


def has_cjk(text: str) -> bool:
    """True when the text contains at least one CJK unified ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def group_key(title: str, body: str) -> tuple[str, str]:
    """Keys used to keep near-duplicates on one side of a split: normalised title, normalised body start."""
    return _group_norm(title), _group_norm(body)[:200]


def normalised_body(body: str) -> str:
    """The whole body as the split compares it (letters only, no digits or punctuation)."""
    return _group_norm(body)


def _group_norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN" and not ch.isdigit())


def join_fields(title: str, body: str) -> str:
    """The combined text a model reads: title, a separator space, body (either may be empty)."""
    return " ".join(part for part in (title, body) if part)


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))

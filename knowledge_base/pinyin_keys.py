"""Pinyin-initial keys for article titles (yb -> 医保...); pypinyin is imported lazily, only when indexing."""

from __future__ import annotations

import hashlib
import os
import re

PINYIN_NAMESPACE = 1 << 60
_ASCII_LETTERS = re.compile(r"^[a-z]{2,12}$")
MAX_GRAM = 8


def _hash_key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=7).digest()
    return PINYIN_NAMESPACE | int.from_bytes(digest, "big")


def title_initials(norm_title: str) -> str:
    """Initials of a normalised title: 医保报销 -> ybbx; ASCII letters and digits are kept, the rest dropped."""
    _load_pypinyin()
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for syllable in lazy_pinyin(norm_title, style=Style.FIRST_LETTER, errors=lambda s: s):
        for ch in syllable:
            if ch.isascii() and ch.isalnum():
                out.append(ch.lower())
    return "".join(out)


def preload() -> None:
    """Load pypinyin and its dictionaries now (about 0.2 s, mostly one json.loads of the phrase dictionary that holds
    the interpreter lock throughout): the desk calls this on a worker while the operator is idle, so the first article
    a pull brings is not indexed while the operator types."""
    _load_pypinyin()


def _load_pypinyin() -> None:
    """Import pypinyin (lazily: needed only at index time) without its defensive copy of both dictionaries (0.17 s
    more, holding the interpreter lock): this module never adds words to them, so sharing them is safe."""
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    import pypinyin  # noqa: F401


def initials_keys(initials: str) -> list[int]:
    """Keys for every substring (2..8 letters) of the initials plus anchored prefixes."""
    keys: set[int] = set()
    n = len(initials)
    for size in range(2, min(MAX_GRAM, n) + 1):
        keys.add(_hash_key("^" + initials[:size]))
        for start in range(n - size + 1):
            keys.add(_hash_key(initials[start : start + size]))
    return sorted(keys)


def query_keys(norm_query: str) -> tuple[int, int] | None:
    """(substring key, prefix key) when the query looks like pinyin initials, else None."""
    q = norm_query.strip()
    if not _ASCII_LETTERS.match(q):
        return None
    q = q[:MAX_GRAM]
    return _hash_key(q), _hash_key("^" + q)

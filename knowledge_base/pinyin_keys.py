"""Pinyin-initial keys for article titles (yb -> 医保...), from a table generated from pypinyin's dictionaries.

pypinyin itself is a development dependency (scripts/build_pinyin_initials.py): importing it at run time cost
50 MB and held the interpreter lock about 0.2 s, which stalled the desk's typing when the first article arrived."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("pinyin_initials.txt")
PINYIN_NAMESPACE = 1 << 60
_ASCII_LETTERS = re.compile(r"^[a-z]{2,12}$")
MAX_GRAM = 8


def _hash_key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=7).digest()
    return PINYIN_NAMESPACE | int.from_bytes(digest, "big")


def title_initials(norm_title: str) -> str:
    """Initials of a normalised title: 医保报销 -> ybbx; ASCII letters and digits are kept, the rest dropped.

    Each character gives the initial of its first reading, unless a phrase of the table covers it: at each position
    the longest phrase is tried first (银行 yh, 重庆 cq, 人行道 rxd; `pinyin_initials.txt`, generated from pypinyin's
    dictionaries)."""
    chars, phrases, longest = _table()
    out: list[str] = []
    i, n = 0, len(norm_title)
    while i < n:
        for size in range(min(longest, n - i), 1, -1):
            initials = phrases.get(norm_title[i : i + size])
            if initials is not None:
                out.append(initials)
                i += size
                break
        else:
            ch = norm_title[i]
            if ch.isascii():
                if ch.isalnum():
                    out.append(ch.lower())
            else:
                out.append(chars.get(ch, ""))
            i += 1
    return "".join(out)


def preload() -> None:
    """Read the initials table now (≈40 ms, +9.5 MB), before the first article is indexed."""
    _table()


@cache
def _table() -> tuple[dict[str, str], dict[str, str], int]:
    """(character -> initial, phrase -> initials, longest phrase) from pinyin_initials.txt."""
    chars: dict[str, str] = {}
    phrases: dict[str, str] = {}
    section = ""
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("\t")
        if section == "[chars]":
            chars.update(dict.fromkeys(value, key))
        else:
            phrases[key] = value
    return chars, phrases, max(map(len, phrases), default=1)


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

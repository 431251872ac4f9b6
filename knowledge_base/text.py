"""Text normalisation and character n-gram keys shared by indexing and querying (pure functions, thread-safe)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

from knowledge_base.tradsimp import TRAD_TO_SIMP

BIGRAM_SHIFT = 21  # code points fit in 21 bits; bigram key = (a << 21) | b, always above any unigram key
_CTRL = {c: " " for c in range(0x20)} | {0x7F: " "}
_TABLE = {**_CTRL, **TRAD_TO_SIMP}


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, traditional to simplified, control chars to spaces."""
    return unicodedata.normalize("NFKC", text).lower().translate(_TABLE)


@lru_cache(maxsize=4096)
def normalize_char(ch: str) -> str:
    """Normalise one character, keeping length 1 so offsets into the original text stay valid."""
    out = normalize(ch)
    return out if len(out) == 1 else ch.lower()


def is_indexed(cp: np.ndarray) -> np.ndarray:
    """Mask of code points that take part in search: CJK ideographs, ASCII digits and letters."""
    return (
        ((cp >= 0x4E00) & (cp <= 0x9FFF))
        | ((cp >= 0x3400) & (cp <= 0x4DBF))
        | ((cp >= 0x30) & (cp <= 0x39))
        | ((cp >= 0x61) & (cp <= 0x7A))
    )


def codepoints(norm_text: str) -> np.ndarray:
    """The code points of already normalised text as int64."""
    return np.frombuffer(norm_text.encode("utf-32-le", "replace"), dtype=np.uint32).astype(np.int64)


def gram_keys(norm_text: str) -> tuple[np.ndarray, np.ndarray]:
    """Unigram keys and bigram keys (adjacent indexed characters) of normalised text, in text order."""
    cp = codepoints(norm_text)
    if cp.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    keep = is_indexed(cp)
    uni = cp[keep]
    pair = keep[:-1] & keep[1:]
    bi = (cp[:-1][pair] << BIGRAM_SHIFT) | cp[1:][pair]
    return uni, bi


def key_text(key: int) -> str:
    """The characters a unigram or bigram key stands for (for highlighting and debugging)."""
    if key < (1 << BIGRAM_SHIFT):
        return chr(key)
    return chr(key >> BIGRAM_SHIFT) + chr(key & ((1 << BIGRAM_SHIFT) - 1))


def indexed_char(ch: str) -> bool:
    """Whether one normalised character takes part in search."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x30 <= o <= 0x39 or 0x61 <= o <= 0x7A

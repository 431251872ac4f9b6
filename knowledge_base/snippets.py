"""Snippets with highlight offsets for search hits (pure, thread-safe)."""

from __future__ import annotations

import numpy as np

from knowledge_base.text import BIGRAM_SHIFT, codepoints, normalize, normalize_char

SNIPPET_CHARS = 90
_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def _aligned_codepoints(text: str) -> np.ndarray:
    norm = normalize(text)
    if len(norm) != len(text):  # NFKC expanded something: normalise char by char to keep offsets
        norm = "".join(normalize_char(c) for c in text)
    return codepoints(norm)


def match_marks(text: str, grams: np.ndarray, singles: np.ndarray) -> np.ndarray:
    """Boolean mask of characters of text covered by a highlighted bigram key or single-character key."""
    cp = _aligned_codepoints(text)
    marks = np.isin(cp, singles) if singles.size else np.zeros(cp.size, dtype=bool)
    if cp.size > 1 and grams.size:
        hit = np.isin((cp[:-1] << BIGRAM_SHIFT) | cp[1:], grams)
        marks[:-1] |= hit
        marks[1:] |= hit
    return marks


def spans_of(marks: np.ndarray, offset: int = 0) -> tuple[tuple[int, int], ...]:
    """Runs of True in marks as (start, end) pairs shifted by offset."""
    if not marks.any():
        return ()
    padded = np.concatenate([[False], marks, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return tuple((int(a) + offset, int(b) + offset) for a, b in zip(edges[::2], edges[1::2], strict=True))


def highlight_title(title: str, grams: np.ndarray, singles: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Highlight spans over a whole title."""
    return spans_of(match_marks(title, grams, singles))


def make_snippet(
    body: str, grams: np.ndarray, singles: np.ndarray, width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The window of body with the most highlighted characters, with '…' where cut, and its highlight spans."""
    body = body.strip()
    scan = body[:4000]
    marks = match_marks(scan, grams, singles)
    if len(scan) <= width:
        start = 0
    else:
        sums = np.convolve(marks.astype(np.int32), np.ones(width, dtype=np.int32), mode="valid")
        best = int(np.argmax(sums)) if sums.size else 0
        start = max(0, best - 10) if sums.size and sums[best] > 0 else 0
    end = min(len(scan), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    text = prefix + scan[start:end].translate(_SPACES) + suffix
    return text, spans_of(marks[start:end], len(prefix))

"""Fusing a lexical ranking with sentence-vector cosines: which documents compete, and how their scores combine.

Pure numpy over dense arrays indexed by document number, shared by the knowledge base's search and the benchmark
that chooses the constants (benchmarks/kb_quality.py, on the tune half of the dev queries only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOOR = 1e-6  # every fused candidate scores above zero, so "score > 0" still means "found"


@dataclass(frozen=True)
class Fusion:
    """Constants of the linear fusion (see `fuse`).

    The defaults are the best mean Recall@5 over the tune halves of both corpora in benchmarks/kb_quality.py's
    sweep (depth 10-200 × weight 0-1): replies 0.775, policy 0.449 on tune (lexical 0.733 / 0.364). Each corpus
    alone peaks within 0.003 of that (replies: depth 200, weight 0.30; policy: depth 10, weight 0.40); weights of
    0.30-0.45 at depths 10-50 all lie on that plateau, while more weight on the lexical side loses the policy gain
    and less loses the replies one (e5 alone is below lexical there).
    """

    depth: int = 20  # candidates taken from each side: lexical top-depth ∪ vector top-depth
    lexical_weight: float = 0.35  # weight of the normalised lexical score; the normalised cosine gets the rest


DEFAULT = Fusion()


def _top(values: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    idx = np.flatnonzero(eligible)
    if idx.size > k:
        idx = idx[np.argpartition(-values[idx], k - 1)[:k]]
    return idx


def candidates(lexical: np.ndarray, cosine: np.ndarray, has_vector: np.ndarray, allowed: np.ndarray, depth: int) -> np.ndarray:
    """Sorted document numbers in the lexical top-depth (score > 0) or the vector top-depth, among `allowed`."""
    lexical_side = _top(lexical, allowed & (lexical > 0), depth)
    vector_side = _top(cosine, allowed & has_vector, depth)
    return np.union1d(lexical_side, vector_side)


def fuse(lexical: np.ndarray, cosine: np.ndarray, has_vector: np.ndarray, fusion: Fusion = DEFAULT) -> np.ndarray:
    """Fused scores (> 0) of candidates given their lexical scores, cosines and which have a vector.

    Each side is min-max normalised over the candidates, so the weight means the same for a two-word query and a
    paragraph of case text. A candidate without a vector (its article not embedded yet) gets the median normalised
    cosine: neither pushed up nor buried, its lexical score decides.
    """
    if lexical.size == 0:
        return np.zeros(0, dtype=np.float32)
    lex = _minmax(lexical.astype(np.float32))
    cos = np.zeros(lexical.size, dtype=np.float32)
    if has_vector.any():
        cos[has_vector] = _minmax(cosine[has_vector].astype(np.float32))
        cos[~has_vector] = float(np.median(cos[has_vector]))
    w = np.float32(fusion.lexical_weight)
    return w * lex + (np.float32(1.0) - w) * cos + np.float32(_FLOOR)


def _minmax(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.ones_like(values) if high > 0 else np.zeros_like(values)
    return (values - low) / (high - low)

"""Near-duplicate detection for the group split (development time; numpy and scipy.sparse).

The dev data was stitched from several sources: the same citizen message can appear as a title-only row
and as a body-only row (its two halves), and near-identical titles or bodies recur (repeat posters,
re-scraped copies). Exact keys miss these, so rows are also linked when
- their titles are near-identical (cosine of idf-weighted char 2–3-grams ≥ `TEXT_SIMILARITY`),
- their bodies are near-identical (same measure),
- one row's title is (almost) contained in another row's body (≥ `TITLE_IN_BODY` of its char 3-grams).
Thresholds were set by looking at the links' label agreement (≥ 99% at these values).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

TEXT_SIMILARITY = 0.8
TITLE_IN_BODY = 0.7
MIN_TITLE_CHARS = 6
_BUCKETS = 1 << 22


def _ngram_ids(text: str, sizes: Sequence[int]) -> list[int]:
    out: list[int] = []
    for n in sizes:
        out.extend(zlib.crc32(text[i : i + n].encode()) % _BUCKETS for i in range(len(text) - n + 1))
    return out


def _matrix(texts: Sequence[str], sizes: Sequence[int]) -> Any:
    """Binary (rows, buckets) CSR matrix of the texts' hashed char n-grams."""
    import scipy.sparse as sp

    indptr, indices = [0], []
    for text in texts:
        ids = sorted(set(_ngram_ids(text, sizes)))
        indices.extend(ids)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr)), shape=(len(texts), _BUCKETS)
    )


def similar_pairs(texts: Sequence[str], threshold: float = TEXT_SIMILARITY) -> list[tuple[int, int]]:
    """Index pairs (i < j) of non-empty texts whose idf-weighted char 2–3-gram cosine is ≥ threshold."""
    import scipy.sparse as sp

    rows = [i for i, t in enumerate(texts) if t]
    if len(rows) < 2:
        return []
    m = _matrix([texts[i] for i in rows], (2, 3)).tocsc()
    df = np.asarray(m.sum(axis=0)).ravel()
    idf = np.log((1 + len(rows)) / (1 + df)) + 1
    m = (m @ sp.diags(idf.astype(np.float32))).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    m = sp.diags(1 / np.maximum(norms, 1e-12)) @ m
    sims = (m @ m.T).tocoo()
    keep = (sims.row < sims.col) & (sims.data >= threshold)
    index = np.array(rows)
    return list(zip(index[sims.row[keep]].tolist(), index[sims.col[keep]].tolist(), strict=True))


def contained_pairs(
    titles: Sequence[str], bodies: Sequence[str], threshold: float = TITLE_IN_BODY
) -> list[tuple[int, int]]:
    """Pairs (i, j), i ≠ j: row i's title shares ≥ threshold of its char 3-grams with row j's body."""
    title_rows = [i for i, t in enumerate(titles) if len(t) >= MIN_TITLE_CHARS]
    body_rows = [j for j, b in enumerate(bodies) if b]
    if not title_rows or not body_rows:
        return []
    t = _matrix([titles[i] for i in title_rows], (3,))
    b = _matrix([bodies[j] for j in body_rows], (3,))
    sizes = np.asarray(t.sum(axis=1)).ravel()
    shared = (t @ b.T).tocoo()
    keep = shared.data >= threshold * np.maximum(sizes[shared.row], 1)
    ti, bj = np.array(title_rows)[shared.row[keep]], np.array(body_rows)[shared.col[keep]]
    return [(i, j) for i, j in zip(ti.tolist(), bj.tolist(), strict=True) if i != j]

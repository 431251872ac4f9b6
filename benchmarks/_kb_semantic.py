"""The semantic half of benchmarks/kb_quality.py: article and query vectors from the shared cache, stored in the
knowledge base with `set_vector` (so the real fused search runs), the sweep that chooses the fusion constants on the
tune half, and the one-thread timings of query encoding and fused search.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from knowledge_base import KnowledgeBase
from semantic import VectorRecord, article_passage, encoder_id, load_encoder, pack, query_text
from semantic.fusion import Fusion, candidates, fuse
from semantic.index import VectorIndex
from semantic.texts import worth_encoding

SWEEP_DEPTHS = (10, 20, 30, 50, 100, 200)
SWEEP_WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))
LEXICAL_DEPTH = 200  # the sweep reads each tune query's lexical top 200 once (≥ every depth it tries)


@dataclass(frozen=True)
class Query:
    text: str
    relevant: frozenset[str]
    half: str


def store_article_vectors(
    kb: KnowledgeBase, articles_path: Path, vectors: Callable[[Sequence[str], str], np.ndarray]
) -> tuple[list[str], VectorIndex]:
    """Store every article's cached vector in the knowledge base (int8, as the server sends it); returns the article
    ids in file order and the same vectors as an index keyed by that order (for the sweep)."""
    with articles_path.open(encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    ids = [a["id"] for a in articles]
    matrix = vectors([article_passage(a.get("title", ""), a.get("body", "")) for a in articles], "passage")
    blobs = [pack(v) for v in matrix]
    rows = []
    for aid, blob in zip(ids, blobs, strict=True):
        article = kb.get(aid)
        assert article is not None and article.version is not None, aid
        rows.append((aid, article.version, VectorRecord(encoder_id(), int(matrix.shape[1]), blob)))
    kb.set_vectors(rows)
    return ids, VectorIndex.from_packed(range(len(ids)), blobs, int(matrix.shape[1]))


def sweep(
    kb: KnowledgeBase,
    queries: Sequence[Query],
    query_vectors: np.ndarray,
    ids: list[str],
    index: VectorIndex,
) -> dict[tuple[int, float], dict[str, tuple[int, float, int]]]:
    """(depth, lexical weight) → half → (hits at 5, sum of reciprocal ranks at 10, queries), computed with the
    search's own `candidates` and `fuse` over each query's lexical top 200 and its cosines with every article."""
    position = {aid: i for i, aid in enumerate(ids)}
    n = len(ids)
    allowed = np.array([_searchable(kb, aid, datetime.now()) for aid in ids], dtype=bool)  # as search filters
    has = np.ones(n, dtype=bool)
    prepared = []
    for query, qv in zip(queries, query_vectors, strict=True):
        lex = np.zeros(n, dtype=np.float32)
        order = []
        for hit in kb.search(query.text, limit=LEXICAL_DEPTH):
            lex[position[hit.id]] = hit.score
            order.append(position[hit.id])
        relevant = {position[a] for a in query.relevant if a in position}
        # a query the search will not fuse (worth_encoding) keeps its lexical order at every constant
        lexical_top = None if worth_encoding(query.text) else np.array(order[:10], dtype=np.int64)
        prepared.append((query.half, lex, index.cosines(qv), relevant, lexical_top))
    table: dict[tuple[int, float], dict[str, tuple[int, float, int]]] = {}
    for depth in SWEEP_DEPTHS:
        for weight in SWEEP_WEIGHTS:
            fusion = Fusion(depth=depth, lexical_weight=weight)
            counts: dict[str, list[float]] = {}
            for half, lex, cos, relevant, lexical_top in prepared:
                if lexical_top is not None:
                    top = lexical_top
                else:
                    cand = candidates(lex, cos, has, allowed, depth)
                    scores = fuse(lex[cand], cos[cand], has[cand], fusion)
                    top = cand[np.argsort(-scores, kind="stable")[:10]]
                rank = next((r for r, doc in enumerate(top.tolist()) if doc in relevant), None)
                tally = counts.setdefault(half, [0, 0.0, 0])
                tally[0] += rank is not None and rank < 5
                tally[1] += 0.0 if rank is None else 1.0 / (rank + 1)
                tally[2] += 1
            table[(depth, weight)] = {h: (int(t[0]), float(t[1]), int(t[2])) for h, t in counts.items()}
    return table


def _searchable(kb: KnowledgeBase, article_id: str, now: datetime) -> bool:
    """Whether the search's default filters (current articles only) let this article through."""
    article = kb.get(article_id)
    return article is not None and not article.retired and article.is_in_effect(now) and not article.is_expired(now)


def best_on(table: dict[tuple[int, float], dict[str, tuple[int, float, int]]], half: str) -> tuple[int, float]:
    """The constants with the best Recall@5 on one half (MRR@10 breaks ties, then the shallower depth)."""
    def key(item: tuple[tuple[int, float], dict[str, tuple[int, float, int]]]) -> tuple[float, float, int]:
        (depth, _), halves = item
        hits, rr, n = halves.get(half, (0, 0.0, 1))
        return (hits / max(n, 1), rr / max(n, 1), -depth)

    return max(table.items(), key=key)[0]


def figures_of(table: dict[tuple[int, float], dict[str, tuple[int, float, int]]], constants: tuple[int, float]) -> dict[str, object]:
    """Recall@5 / MRR@10 per half of one row of the sweep."""
    out: dict[str, object] = {}
    for half, (hits, rr, n) in sorted(table[constants].items()):
        out[half] = {"recall_at_5": round(hits / max(n, 1), 4), "mrr_at_10": round(rr / max(n, 1), 4)}
    return out


def encode_times_ms(texts: Sequence[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU time of encoding each query afresh on the process's one-thread encoder (as the desk's worker
    does). With one OpenMP thread the engine runs on the calling thread, so its CPU time is what the query costs
    without the other processes' load that stretches the wall time on a shared machine."""
    encoder = load_encoder(1)
    assert encoder is not None
    encoder.query("预热")  # the first call maps the weights in
    wall, cpu = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.thread_time()
        encoder.query(query_text(text))
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return wall, cpu

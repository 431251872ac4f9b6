"""benchmarks/kb_quality.py's semantic half: the sweep that chooses the fusion constants measures exactly what
`KnowledgeBase.search` does with those constants (demo articles, made-up queries, vectors derived from the texts)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Sequence
from types import ModuleType

import numpy as np
from kb_helpers import DEMO, ROOT

from knowledge_base import KnowledgeBase
from semantic import query_text
from semantic.fusion import Fusion


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def text_vectors(texts: Sequence[str], kind: str) -> np.ndarray:
    """Stand-in vectors: character counts hashed into 384 buckets, so texts sharing characters point alike."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for ch in text:
            out[row, hashlib.blake2b(ch.encode(), digest_size=2).digest()[0] + 100] += 1.0
        out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
    return out


def test_the_sweep_scores_each_constant_as_the_search_ranks(kb: KnowledgeBase) -> None:
    sem = _module("_kb_semantic")
    bench = _module("kb_quality")
    kb.import_jsonl(DEMO)
    ids, index = sem.store_article_vectors(kb, DEMO, text_vectors)
    assert kb.vector_count(kb_encoder(bench)) == len(ids) == 64
    articles = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    # queries: a few characters of each title, so both sides have something to say
    queries = [sem.Query(a["title"][1:6], frozenset([a["id"]]), bench.split_of(a["title"][1:6])) for a in articles]
    qvecs = text_vectors([query_text(q.text) for q in queries], "query")
    table = sem.sweep(kb, queries, qvecs, ids, index)
    for depth, weight in [(10, 0.0), (20, 0.35), (50, 0.7), (200, 1.0)]:
        kb.fusion = Fusion(depth=depth, lexical_weight=weight)
        counts: dict[str, list[float]] = {}
        for query, qv in zip(queries, qvecs, strict=True):
            found = [h.id for h in kb.search(query.text, limit=10, query_vector=qv)]
            rank = bench.first_relevant(found, query.relevant)
            tally = counts.setdefault(query.half, [0, 0.0, 0])
            tally[0] += rank is not None and rank < 5
            tally[1] += 0.0 if rank is None else 1.0 / (rank + 1)
            tally[2] += 1
        for half, (hits, rr, n) in counts.items():
            swept = table[(depth, weight)][half]
            assert (swept[0], swept[2]) == (hits, n), (depth, weight, half)
            assert abs(swept[1] - rr) < 1e-9


def test_the_constants_are_chosen_on_the_tune_half_only() -> None:
    sem = _module("_kb_semantic")
    table = {
        (10, 0.3): {"tune": (50, 30.0, 100), "heldout": (90, 80.0, 100)},
        (20, 0.3): {"tune": (60, 30.0, 100), "heldout": (10, 5.0, 100)},
        (50, 0.3): {"tune": (60, 30.0, 100), "heldout": (20, 5.0, 100)},
    }
    assert sem.best_on(table, "tune") == (20, 0.3)  # ties on tune go to the shallower depth; held-out is ignored
    assert sem.figures_of(table, (20, 0.3))["heldout"] == {"recall_at_5": 0.1, "mrr_at_10": 0.05}


def kb_encoder(bench: ModuleType) -> str:
    return str(bench.kb_encoder_id())

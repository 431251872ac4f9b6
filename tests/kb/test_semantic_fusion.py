"""semantic.fusion and semantic.index: which documents compete and how their scores combine (pure numpy)."""

from __future__ import annotations

import numpy as np

from semantic import pack
from semantic.fusion import Fusion, candidates, fuse
from semantic.index import VectorIndex


def test_candidates_are_the_union_of_both_top_lists_among_allowed_documents() -> None:
    lexical = np.array([0.0, 5.0, 4.0, 3.0, 0.0, 0.0], dtype=np.float32)
    cosine = np.array([0.9, 0.1, 0.2, 0.3, 0.8, 0.7], dtype=np.float32)
    has = np.array([True, True, True, True, True, False])
    allowed = np.array([True, True, True, True, False, True])
    assert candidates(lexical, cosine, has, allowed, 2).tolist() == [0, 1, 2, 3]
    # 4 is not allowed (filtered out), 5 has no vector and no lexical score: neither competes
    assert candidates(lexical, cosine, has, allowed, 10).tolist() == [0, 1, 2, 3]


def test_the_weight_moves_the_ranking_from_lexical_to_cosine() -> None:
    lexical = np.array([9.0, 3.0, 0.0], dtype=np.float32)
    cosine = np.array([0.80, 0.85, 0.90], dtype=np.float32)
    has = np.ones(3, dtype=bool)
    assert np.argsort(-fuse(lexical, cosine, has, Fusion(lexical_weight=1.0))).tolist()[0] == 0
    assert np.argsort(-fuse(lexical, cosine, has, Fusion(lexical_weight=0.0))).tolist() == [2, 1, 0]
    # each side min-max normalised over the candidates: lexical (1, 1/3, 0), cosine (0, 1/2, 1)
    scores = fuse(lexical, cosine, has, Fusion(lexical_weight=0.25))
    assert np.allclose(scores, [0.25, 0.25 / 3 + 0.375, 0.75], atol=1e-5) and (scores > 0).all()

def test_scale_of_the_lexical_scores_does_not_change_the_fused_order() -> None:
    rng = np.random.default_rng(7)
    lexical = rng.random(20).astype(np.float32) * 5
    cosine = (0.7 + 0.2 * rng.random(20)).astype(np.float32)
    has = np.ones(20, dtype=bool)
    a = np.argsort(-fuse(lexical, cosine, has))
    b = np.argsort(-fuse(lexical * 40, cosine, has))
    assert a.tolist() == b.tolist()


def test_a_candidate_without_a_vector_gets_the_median_cosine() -> None:
    lexical = np.array([2.0, 1.0, 0.5, 0.0], dtype=np.float32)
    cosine = np.array([0.0, 0.9, 0.8, 0.7], dtype=np.float32)
    has = np.array([False, True, True, True])
    scores = fuse(lexical, cosine, has, Fusion(lexical_weight=0.0))
    assert np.isclose(scores[0], scores[2])  # the median of 1.0, 0.5, 0.0


def test_the_index_skips_malformed_rows_and_answers_in_its_own_dimension() -> None:
    a = np.zeros(4, dtype=np.float32)
    a[0] = 1.0
    b = np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32)
    index = VectorIndex.from_packed([3, 7, 9], [pack(a), b"\x00\x00\x80\x7f" + b"\x01" * 4, pack(b)], 4)
    assert index.ids.tolist() == [3, 9] and len(index) == 2
    cos, has = index.dense(a, 10)
    assert np.flatnonzero(has).tolist() == [3, 9]
    assert np.isclose(cos[3], 1.0, atol=0.01) and np.isclose(cos[9], 0.6, atol=0.01)
    assert index.cosines(np.ones(3, dtype=np.float32)).size == 0
    assert index.cosines(np.full(4, np.nan, dtype=np.float32)).size == 0
    cos, has = index.dense(a, 5)  # ids beyond the size asked for are left out
    assert np.flatnonzero(has).tolist() == [3]

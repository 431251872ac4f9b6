"""Fused search in KnowledgeBase: stored vectors joined with the lexical ranking, with the lexical path untouched.

Vectors here are made by hand (orthogonal unit vectors) so each test states exactly which article the "meaning"
points to; tests/kb/test_semantic_encoder.py runs the same path with the real encoder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase
from semantic import VectorRecord, encoder_id, pack

DIM = 384


def axis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def record(v: np.ndarray, encoder: str | None = None) -> VectorRecord:
    return VectorRecord(encoder or encoder_id(), DIM, pack(v))


def load(kb: KnowledgeBase, extra: dict[str, dict[str, object]] | None = None) -> None:
    """Lexical distractors that share words with the query "供暖费退费", and one article meaning it in other words."""
    extra = extra or {}
    kb.upsert(make("heat-1", "供暖费收费标准", "居民供暖费按建筑面积收取。", **extra.get("heat-1", {})))
    kb.upsert(make("heat-2", "供暖期时间", "本市供暖期为十一月十五日至次年三月十五日。", **extra.get("heat-2", {})))
    kb.upsert(make("heat-3", "退费办理渠道", "各类退费可在政务服务中心办理。", **extra.get("heat-3", {})))
    kb.upsert(make("meaning", "冬季停摆期间的补偿", "冬季因故中断的，公司按天折算返还给住户。", **extra.get("meaning", {})))
    for i, aid in enumerate(["heat-1", "heat-2", "heat-3", "meaning"]):
        kb.set_vector(aid, 1, record(axis(i + 1)))


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


QUERY = "供暖费退费"
MEANING = axis(4)  # the query's vector: it points at "meaning" only


def test_an_article_found_only_by_its_vector_joins_the_results(kb: KnowledgeBase) -> None:
    load(kb)
    lexical = ids(kb.search(QUERY, now=NOW))
    assert "meaning" not in lexical and lexical
    fused = kb.search(QUERY, now=NOW, query_vector=MEANING)
    assert "meaning" in ids(fused)[:2]
    hit = next(h for h in fused if h.id == "meaning")
    assert hit.snippet.startswith("冬季因故中断") and hit.highlights == () and hit.title_highlights == ()
    assert all(h.score > 0 for h in fused) and [h.score for h in fused] == sorted((h.score for h in fused), reverse=True)


def test_without_a_vector_the_results_are_the_lexical_ones(tmp_path: Path) -> None:
    with KnowledgeBase.open(tmp_path / "plain.sqlite") as plain, KnowledgeBase.open(tmp_path / "vec.sqlite") as vec:
        load(vec)
        load_texts_only(plain)
        for query in (QUERY, "供暖", "退费 政务", "补偿"):
            assert vec.search(query, now=NOW) == plain.search(query, now=NOW)
            assert vec.suggest(query * 3, now=NOW) == plain.suggest(query * 3, now=NOW)


def load_texts_only(kb: KnowledgeBase) -> None:
    kb.upsert(make("heat-1", "供暖费收费标准", "居民供暖费按建筑面积收取。"))
    kb.upsert(make("heat-2", "供暖期时间", "本市供暖期为十一月十五日至次年三月十五日。"))
    kb.upsert(make("heat-3", "退费办理渠道", "各类退费可在政务服务中心办理。"))
    kb.upsert(make("meaning", "冬季停摆期间的补偿", "冬季因故中断的，公司按天折算返还给住户。"))


def test_a_query_vector_with_nothing_to_match_gives_the_lexical_results(kb: KnowledgeBase) -> None:
    load_texts_only(kb)
    lexical = kb.search(QUERY, now=NOW)
    assert kb.search(QUERY, now=NOW, query_vector=MEANING) == lexical  # no stored vectors
    kb.set_vector("meaning", 1, record(axis(4), encoder="another-model@1"))
    assert kb.search(QUERY, now=NOW, query_vector=MEANING) == lexical  # vectors of another encoder only
    for i, aid in enumerate(["heat-1", "heat-2", "heat-3", "meaning"]):
        kb.set_vector(aid, 1, record(axis(i + 1)))
    assert kb.search(QUERY, now=NOW, query_vector=np.ones(10, dtype=np.float32)) == lexical  # wrong dimension
    assert kb.search(QUERY, now=NOW, query_vector=np.zeros(DIM, dtype=np.float32)) == lexical  # no direction


def test_a_stale_vector_and_a_retired_article_are_ignored(kb: KnowledgeBase) -> None:
    load(kb)
    assert kb.vector_count(encoder_id()) == 4
    kb.upsert(make("meaning", "冬季停摆期间的补偿", "冬季因故中断的，按天折算返还。"))  # version 2: the vector is for 1
    assert kb.vector_count(encoder_id()) == 3
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))
    kb.set_vector("meaning", 2, record(axis(4)))
    assert "meaning" in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))
    kb.retire("meaning")
    assert kb.vector_count(encoder_id()) == 3
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))
    kb.delete("heat-1")
    assert kb.vector_count(encoder_id()) == 2
    assert "heat-1" not in ids(kb.search(QUERY, now=NOW, query_vector=axis(1)))


def test_filters_hold_for_articles_found_by_their_vector(kb: KnowledgeBase) -> None:
    later = NOW + timedelta(days=30)
    load(
        kb,
        {"meaning": {"category": "城乡建设/供热", "departments": ("市城管委",)}, "heat-1": {"category": "城乡建设/供热"}},
    )
    assert set(ids(kb.search(QUERY, now=NOW, query_vector=MEANING, category="城乡建设"))) == {"meaning", "heat-1"}
    assert ids(kb.search(QUERY, now=NOW, query_vector=MEANING, department="市城管委")) == ["meaning"]
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING, category="教育"))

    kb.upsert(make("meaning", "冬季停摆期间的补偿", "按天折算返还。", expires_at=NOW - timedelta(days=1)))
    kb.set_vector("meaning", 2, record(axis(4)))
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))
    shown = kb.search(QUERY, now=NOW, query_vector=MEANING, current_only=False)
    assert [h.expired for h in shown if h.id == "meaning"] == [True]
    assert "meaning" not in ids(kb.suggest(QUERY * 2, now=NOW, case_vector=MEANING))

    kb.upsert(make("meaning", "冬季停摆期间的补偿", "按天折算返还。", effective_from=later))
    kb.set_vector("meaning", 3, record(axis(4)))
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING, current_only=False))
    assert "meaning" in ids(kb.search(QUERY, now=later + timedelta(days=1), query_vector=MEANING))


def test_an_article_without_a_vector_keeps_its_lexical_place(kb: KnowledgeBase) -> None:
    load(kb)
    kb.upsert(make("heat-4", "供暖费退费办法", "供暖费退费按天计算。"))  # the best lexical match, not embedded yet
    assert ids(kb.search(QUERY, now=NOW))[0] == "heat-4"
    assert "heat-4" in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))[:2]


def test_suggestions_use_the_case_vector(kb: KnowledgeBase) -> None:
    load(kb)
    text = "市民来电：供暖费能不能退费？"
    assert "meaning" not in ids(kb.suggest(text, now=NOW))
    assert "meaning" in ids(kb.suggest(text, now=NOW, case_vector=MEANING))[:2]


def test_vectors_stored_by_another_connection_are_used_without_reopening(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    with KnowledgeBase.open(path) as writer:
        load_texts_only(writer)
        with KnowledgeBase.open(path, readonly=True) as reader:
            assert "meaning" not in ids(reader.search(QUERY, now=NOW, query_vector=MEANING))
            writer.set_vector("meaning", 1, record(axis(4)))
            assert "meaning" in ids(reader.search(QUERY, now=NOW, query_vector=MEANING))
            writer.upsert(make("meaning", "冬季停摆期间的补偿", "按天折算返还。"))
            assert "meaning" not in ids(reader.search(QUERY, now=NOW, query_vector=MEANING))


def test_a_malformed_stored_vector_is_skipped(kb: KnowledgeBase) -> None:
    load(kb)
    kb.set_vector("heat-2", 1, VectorRecord(encoder_id(), DIM, b"\x00" * 10))
    hits = kb.search(QUERY, now=NOW, query_vector=MEANING)
    assert "meaning" in ids(hits)[:2] and "heat-2" in ids(hits)


def test_a_search_stays_fast_on_an_unchanged_file(kb: KnowledgeBase) -> None:
    """The vector matrix is read once, not per query (a second search does not touch the vectors table)."""
    load(kb)
    kb.search(QUERY, now=NOW, query_vector=MEANING)
    queries: list[str] = []
    kb._conn.set_trace_callback(queries.append)  # noqa: SLF001 - observing the SQL the search runs
    kb.search(QUERY, now=datetime(2025, 6, 1), query_vector=MEANING)
    kb._conn.set_trace_callback(None)  # noqa: SLF001
    assert queries and not any("vectors" in q for q in queries)


def test_a_deleted_article_takes_its_vector_with_it(kb: KnowledgeBase) -> None:
    load(kb)
    kb.delete("meaning")
    # the server re-creates the id with other text: version 1 again, and no vector made for it yet
    kb.upsert(make("meaning", "冬季停摆期间的补偿", "另一篇文章的内容。", version=1))
    assert kb.vector_count(encoder_id()) == 3
    assert "meaning" not in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))


def test_pinyin_initials_and_latin_letters_are_searched_by_keywords_only(kb: KnowledgeBase) -> None:
    """The encoder reads no pinyin initials: fusing "gjj" (公积金) with its vector buried the three 公积金 articles
    below unrelated ones on the demo articles. Queries with fewer than two Chinese characters stay lexical."""
    load(kb)
    kb.upsert(make("gjj-1", "住房公积金提取条件", "住房公积金可在购房、租房时提取。"))
    kb.set_vector("gjj-1", 1, record(axis(9)))
    for query in ("gjj", "zfgjj", "asdf 12", "供"):
        assert ids(kb.search(query, now=NOW, query_vector=MEANING)) == ids(kb.search(query, now=NOW)), query
    assert "meaning" in ids(kb.search(QUERY, now=NOW, query_vector=MEANING))[:2]

"""Ranking signals: the body's opening weighs more, rare terms weigh more than common ones (toy articles)."""

from __future__ import annotations

from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase
from knowledge_base.analysis import OPENING_CHARS
from knowledge_base.searcher import idf

FILLER = "工作人员已经到现场进行了核实并与相关单位沟通协调。"


def test_term_in_the_opening_ranks_above_the_same_term_later(kb: KnowledgeBase) -> None:
    # Same words, same length: only where the issue is named differs.
    early = "关于小区电梯故障的问题，" + FILLER * 8
    late = FILLER * 8 + "关于小区电梯故障的问题，"
    assert len(early) == len(late) and len(FILLER * 8) > OPENING_CHARS
    kb.upsert(make("late", "", late))
    kb.upsert(make("early", "", early))
    assert [h.id for h in kb.search("电梯故障", now=NOW)] == ["early", "late"]


def test_opening_counts_after_a_rebuild_too(kb: KnowledgeBase) -> None:
    kb.upsert(make("late", "", FILLER * 8 + "井盖缺失"))
    kb.upsert(make("early", "", "井盖缺失" + FILLER * 8))
    kb.rebuild()
    assert [h.id for h in kb.search("井盖", now=NOW)] == ["early", "late"]


def test_idf_is_positive_and_sharper_than_plain_bm25() -> None:
    import math

    assert idf(100, 1) > idf(100, 10) > idf(100, 90) > 0
    assert idf(10, 25) > 0  # stale postings can count more documents than are live
    plain = math.log(1 + (100 - 1 + 0.5) / 1.5) / math.log(1 + (100 - 50 + 0.5) / 50.5)
    assert idf(100, 1) / idf(100, 50) > plain


def test_invisible_characters_inside_a_query_join_the_word(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "医保报销", "门诊报销"))
    kb.upsert(make("b", "就医指南", "医院保安"))
    for query in ("医\x00保", "医\u200b保", "\ufeff医保"):
        assert [h.id for h in kb.search(query, now=NOW)][0] == "a"

"""Odd query text gives sensible results or none, never an exception."""

from __future__ import annotations

import pytest
from kb_helpers import NOW

from knowledge_base import KnowledgeBase

BAD_QUERIES = [
    '"',
    '"医保',
    "*",
    "医保*",
    "(医保",
    ")",
    "医保:报销",
    "title:医保",
    "^医保",
    "-医保",
    "医保 NEAR 报销",
    "NEAR(医保 报销)",
    "医保 AND 报销",
    "医保 OR 报销",
    "NOT 医保",
    "AND OR NOT",
    "'; DROP TABLE articles; --",
    "医保😀🏥",
    "😀😀😀",
    "医\x00保\x07\x1b[31m",
    "\u200b\u200d\ufeff",
    "",
    "   \t\n ",
    "%_\\",
    "\ud800",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_never_raises(demo_kb: KnowledgeBase, query: str) -> None:
    hits = demo_kb.search(query, now=NOW)
    assert isinstance(hits, list)
    assert demo_kb.suggest(query, now=NOW) is not None


@pytest.mark.parametrize(
    "query", ['"医保"', "医保*", "(医保)", "医保 NEAR 报销", "医保 OR NOT", "医保😀", "医\x00保"]
)
def test_syntax_characters_are_plain_text(demo_kb: KnowledgeBase, query: str) -> None:
    hits = demo_kb.search(query, now=NOW)
    assert hits and "医保" in hits[0].title


@pytest.mark.parametrize("query", ["", "   ", "😀", "\x00\x01", "***"])
def test_empty_or_unsearchable_gives_no_results(demo_kb: KnowledgeBase, query: str) -> None:
    assert demo_kb.search(query, now=NOW) == []


def test_ten_thousand_character_query(demo_kb: KnowledgeBase) -> None:
    query = ("小区物业不作为，电梯经常坏，物业费还涨价。" * 500)[:10_000]
    hits = demo_kb.search(query, now=NOW)
    assert hits and any("物业" in h.title or "电梯" in h.title for h in hits[:3])


def test_random_garbage_and_limits(demo_kb: KnowledgeBase) -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        text = "".join(chr(rng.randrange(0, 0x2FFFF)) for _ in range(rng.randrange(0, 40)))
        demo_kb.search(text, now=NOW, limit=rng.choice([-1, 0, 1, 5, 1000]))
    assert demo_kb.search("医保", limit=0, now=NOW) == []
    assert len(demo_kb.search("医保", limit=10_000, now=NOW)) <= 200


def test_non_string_query_gives_empty(demo_kb: KnowledgeBase) -> None:
    assert demo_kb.search(None, now=NOW) == []  # type: ignore[arg-type]

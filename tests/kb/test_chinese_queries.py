"""Chinese as people type it: short queries, pinyin initials, synonyms, width forms, traditional characters."""

from __future__ import annotations

from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase


def ids(kb: KnowledgeBase, query: str, **kw: object) -> list[str]:
    return [h.id for h in kb.search(query, now=NOW, **kw)]  # type: ignore[arg-type]


def test_two_character_query_finds_article(demo_kb: KnowledgeBase) -> None:
    hits = demo_kb.search("医保", now=NOW)
    assert hits and all(
        "医保" in h.title or "医疗保障局" in h.snippet or "医保" in h.snippet for h in hits[:3]
    )
    assert "医保" in hits[0].title


def test_one_character_query_matches(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "噪声扰民", "夜间施工很吵"))
    kb.upsert(make("b", "公积金提取", "租房提取公积金"))
    assert ids(kb, "吵") == ["a"]


def test_highlights_cover_the_query(demo_kb: KnowledgeBase) -> None:
    hit = demo_kb.search("欠薪", now=NOW)[0]
    marked = hit.marked_snippet("[", "]")
    assert "[" in marked and hit.highlights
    for start, end in hit.highlights:
        assert hit.snippet[start:end]


def test_pinyin_initials_find_titles(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "医保报销比例", "门诊报销"))
    kb.upsert(make("b", "住房公积金提取", "租房提取"))
    assert ids(kb, "yb")[0] == "a"
    assert ids(kb, "gjj")[0] == "b"
    assert ids(kb, "GJJ")[0] == "b"


def test_synonyms_match_colloquial_forms(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "夜间施工噪声处理", "施工噪声超标"))
    kb.upsert(make("b", "物业服务收费", "物业公司收费标准"))
    assert ids(kb, "噪音")[0] == "a"
    assert ids(kb, "物管")[0] == "b"


def test_full_width_and_half_width_are_the_same(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "拨打１２３４５热线", "ＡＢＣ小区"))
    assert ids(kb, "12345") == ["a"]
    assert ids(kb, "abc小区") == ["a"]


def test_traditional_characters_find_simplified(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "医疗保险报销", "住院报销"))
    assert ids(kb, "醫療保險") == ["a"]


def test_suggest_ranks_by_case_text(demo_kb: KnowledgeBase) -> None:
    case = (
        "来电人反映所在小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息，希望有关部门处理。" * 3
    )
    hits = demo_kb.suggest(case, limit=5, now=NOW)
    assert hits and "噪" in hits[0].title


def test_suggest_handles_long_text(demo_kb: KnowledgeBase) -> None:
    # its speed is benchmarks/kb_speed.py's to print, not a timed test's
    case = ("公司拖欠三个月工资，老板联系不上，工人十几个人。" * 200)[:5000]
    hits = demo_kb.suggest(case, now=NOW)
    assert hits and hits[0].id in {"demo-026", "demo-027"}


def test_filters_by_category_and_department(demo_kb: KnowledgeBase) -> None:
    hits = demo_kb.search("补贴", now=NOW, category="民政")
    assert hits and all(h.category.startswith("民政") for h in hits)
    hits = demo_kb.search("补贴", now=NOW, department="示范市残疾人联合会")
    assert hits
    for hit in hits:
        article = demo_kb.get(hit.id)
        assert article is not None and "示范市残疾人联合会" in article.departments

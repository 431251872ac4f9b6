"""benchmarks/kb_quality.py: the figures it prints agree with each other (demo articles, made-up queries)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from kb_helpers import ROOT

from knowledge_base import KnowledgeBase


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kb_quality", ROOT / "benchmarks" / "kb_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rank_bands_name_where_the_first_relevant_result_lands() -> None:
    bench = _benchmark()
    assert bench.band_of(0, 100) == "1-5"
    assert bench.band_of(4, 100) == "1-5"
    assert bench.band_of(5, 100) == "6-10"
    assert bench.band_of(10, 100) == "11-50"
    assert bench.band_of(50, 100) == "51-100"
    assert bench.band_of(None, 100) == "beyond 100"
    assert bench.band_of(15, 20) == "11-20"
    assert bench.band_of(3, 4) == "1-4"
    assert bench.first_relevant(["a", "b", "c"], {"c", "b"}) == 1
    assert bench.first_relevant(["a"], {"z"}) is None


def test_bands_cover_every_query_and_agree_with_recall(demo_kb: KnowledgeBase, tmp_path: Path) -> None:
    bench = _benchmark()
    queries = tmp_path / "queries.jsonl"
    items = [
        {"query": "灵活就业人员养老保险", "relevant": ["demo-001"]},
        {"query": "职工养老保险怎么交", "relevant": ["demo-001"]},
        {"query": "没有这篇文章", "relevant": ["no-such-article"]},
    ]
    queries.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    figures = bench.evaluate(demo_kb, queries, None, depth=20)
    bands = figures["first_relevant_rank"]
    assert sum(bands.values()) == figures["queries"] == 3
    assert bands["beyond 20"] >= 1  # the article that does not exist is never found
    assert list(bands)[-1] == "beyond 20"  # bands are listed best first
    assert figures["recall_at_5"] == round(bands.get("1-5", 0) / 3, 4)
    halves = [figures["tune"], figures["heldout"]]
    assert sum(h["queries"] for h in halves) == 3
    assert sum(sum(h.get("first_relevant_rank", {}).values()) for h in halves) == 3


def test_without_depth_no_bands_are_printed(demo_kb: KnowledgeBase, tmp_path: Path) -> None:
    bench = _benchmark()
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"query": "养老保险", "relevant": ["demo-001"]}) + "\n", encoding="utf-8")
    figures = bench.evaluate(demo_kb, queries, None)
    assert "first_relevant_rank" not in figures and figures["queries"] == 1

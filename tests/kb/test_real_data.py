"""A small slice of the real corpora (../shared/data/kb): imports cleanly and finds precedents."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from kb_helpers import SHARED_KB

from knowledge_base import KnowledgeBase

pytestmark = pytest.mark.skipif(
    not SHARED_KB.is_dir(),
    reason=f"{SHARED_KB} not found: real-data tests need ../shared/data/kb beside the repo",
)


def test_replies_slice_recall(tmp_path: Path) -> None:
    articles = tmp_path / "slice.jsonl"
    with (SHARED_KB / "replies_articles.jsonl").open(encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, 600))
    articles.write_text("".join(lines), encoding="utf-8")
    ids = {json.loads(line)["id"] for line in lines}
    with KnowledgeBase.open(tmp_path / "kb.sqlite") as kb:
        report = kb.import_jsonl(articles)
        assert report.imported == len(ids) and not report.issues
        with (SHARED_KB / "replies_queries_dev.jsonl").open(encoding="utf-8") as fh:
            queries = [q for q in map(json.loads, fh) if q["relevant"][0] in ids][:150]
        assert len(queries) >= 50
        found = sum(1 for q in queries if q["relevant"][0] in [h.id for h in kb.search(q["query"], limit=5)])
        assert found / len(queries) >= 0.6  # the full benchmark is benchmarks/kb_quality.py

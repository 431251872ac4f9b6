"""The functions behind `operator-app kb import/search`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from kb_helpers import DEMO

from knowledge_base import KnowledgeBaseError, cli_ops


def test_import_search_and_batch(tmp_path: Path) -> None:
    kb_path = tmp_path / "kb.sqlite"
    result = cli_ops.import_file(kb_path, DEMO)
    assert result["errors"] == [] and int(result["imported"]) >= 50  # type: ignore[call-overload]
    found = cli_ops.search_json(kb_path, "公积金", 3)
    assert found["query"] == "公积金" and len(found["results"]) == 3  # type: ignore[arg-type]
    batch_in = tmp_path / "q.jsonl"
    batch_in.write_text('{"query": "噪音"}\n\n{"query": 5}\nnot json\n{"query": "供暖"}\n', encoding="utf-8")
    out = io.StringIO()
    assert cli_ops.search_batch(kb_path, batch_in, out) == 4
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line.get("query") for line in lines] == ["噪音", None, None, "供暖"]
    assert [(line["line"], line["error"][:14]) for line in lines[1:3]] == [(3, "no query: the "), (4, "not valid JSON")]
    assert lines[0]["results"] and set(lines[0]["results"][0]) == {"id", "score"}
    assert "elapsed_ms" in lines[0] and "elapsed_ms" in lines[3]


def test_search_on_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError):
        cli_ops.search_json(tmp_path / "none.sqlite", "医保", 5)

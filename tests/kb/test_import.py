"""import_jsonl: bad lines are reported with line numbers and plain reasons; good lines are imported."""

from __future__ import annotations

import json
from pathlib import Path

from kb_helpers import DEMO, NOW

from knowledge_base import KnowledgeBase


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_lines_reported_rest_imported(kb: KnowledgeBase, tmp_path: Path) -> None:
    good = {
        "id": "g1",
        "title": "路灯不亮",
        "body": "报修路灯",
        "departments": ["城管局"],
        "keywords": "路灯,照明",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "没有编号", "body": "x"}, ensure_ascii=False),
        "",
        json.dumps({"id": "g2", "title": "", "body": ""}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "g3", "title": "日期错", "body": "x", "expires_at": "明天"}, ensure_ascii=False),
        json.dumps({"id": "g4", "title": "部门错", "body": "x", "departments": 5}, ensure_ascii=False),
        json.dumps(
            {"id": "g5", "title": "井盖缺失", "body": "道路井盖", "updated_at": "2019/5/10 14:56:53"},
            ensure_ascii=False,
        ),
        json.dumps({"id": "g6", "title": "版本错", "body": "x", "version": "two"}, ensure_ascii=False),
    ]
    report = kb.import_jsonl(write_lines(tmp_path / "in.jsonl", lines))
    assert report.added == 2 and report.imported == 2
    bad = {issue.line: issue.reason for issue in report.issues}
    assert sorted(bad) == [2, 3, 5, 6, 7, 8, 10]
    assert "JSON" in bad[2] and "id" in bad[3] and "empty" in bad[5] and "expires_at" in bad[7]
    assert kb.search("路灯", now=NOW)[0].id == "g1"
    article = kb.get("g1")
    assert article is not None and article.departments == ("城管局",) and article.keywords == ("路灯", "照明")


def test_non_utf8_line_is_reported(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "a", "title": "ok", "body": "x"}\n\xff\xfe\x00bad\n')
    report = kb.import_jsonl(path)
    assert report.added == 1 and report.issues[0].line == 2


def test_reimport_updates_and_bumps_version(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = kb.import_jsonl(DEMO)
    assert first.added >= 50 and not first.issues
    second = kb.import_jsonl(DEMO)
    assert second.updated == first.added and second.added == 0


def test_bulk_import_path(kb: KnowledgeBase, tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"id": f"n{i}", "title": f"第{i}号通知", "body": f"小区{i}号楼停水维修"}, ensure_ascii=False
        )
        for i in range(250)
    ]
    lines[100] = "oops"
    report = kb.import_jsonl(write_lines(tmp_path / "bulk.jsonl", lines))
    assert report.added == 249 and [i.line for i in report.issues] == [101]
    assert kb.count() == 249
    assert "n17" in [h.id for h in kb.search("17号楼", now=NOW)][:3]

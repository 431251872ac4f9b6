"""`operator-app kb import / search / search --batch`: headless, into and from <data-dir>/kb.sqlite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from operator_app.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "kb" / "demo_articles.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path / "seat")


@pytest.fixture
def filled(data_dir: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, _ = run(capsys, "--data-dir", data_dir, "kb", "import", str(DEMO))
    assert code == 0
    return data_dir


def test_import_reports_counts_and_bad_lines(tmp_path: Path, data_dir: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.jsonl"
    lines = [json.dumps({"id": "a1", "title": "医保报销比例", "body": "职工医保住院报销比例为百分之八十。"},
                        ensure_ascii=False),
             "{not json",
             json.dumps({"title": "没有编号", "body": "正文"}, ensure_ascii=False),
             "",
             json.dumps({"id": "a2", "title": "噪音投诉", "body": "夜间施工噪音可向城管部门投诉。",
                         "expires_at": "2020-01-01"}, ensure_ascii=False)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", data_dir, "kb", "import", str(source), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["imported"] == 2 and report["articles"] == 2
    assert [e["line"] for e in report["errors"]] == [2, 3]
    assert "JSON" in report["errors"][0]["reason"] and "id" in report["errors"][1]["reason"]
    assert (Path(data_dir) / "kb.sqlite").is_file()
    code, out, err = run(capsys, "--data-dir", data_dir, "kb", "import", str(source))  # plain text: same again
    assert code == 0 and "imported 2 articles (0 new, 2 updated)" in out
    assert "line 2:" in err and "line 3:" in err


def test_import_of_an_unreadable_file_exits_1(tmp_path: Path, data_dir: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", data_dir, "kb", "import", str(tmp_path / "missing.jsonl"))
    assert code == 1 and out == "" and "cannot read" in err
    assert not (Path(data_dir) / "kb.sqlite").exists()  # nothing created for nothing


def test_import_with_only_bad_lines_exits_2(tmp_path: Path, data_dir: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"[1]\n\xff\xfe\n")
    code, out, err = run(capsys, "--data-dir", data_dir, "kb", "import", str(source), "--json")
    assert code == 2
    assert [e["line"] for e in json.loads(out)["errors"]] == [1, 2]


def test_search_json(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", filled, "kb", "search", "医保", "--json", "--limit", "3")
    assert code == 0
    result = json.loads(out)
    assert result["query"] == "医保" and len(result["results"]) == 3 and result["elapsed_ms"] >= 0
    first = result["results"][0]
    assert {"id", "score", "title", "snippet", "version", "expired"} <= set(first)
    code, out, _ = run(capsys, "--data-dir", filled, "kb", "search", "灵活就业养老保险")
    assert code == 0 and out.split()[1] == "demo-001"


@pytest.mark.parametrize("query", ['" * ( ) : ^ - NEAR AND OR NOT', "😀", "\x01\x02", "", "医" * 10000])
def test_search_odd_queries(filled: str, capsys: pytest.CaptureFixture[str], query: str) -> None:
    code, out, _ = run(capsys, "--data-dir", filled, "kb", "search", query, "--json")
    assert code == 0 and isinstance(json.loads(out)["results"], list)


def test_search_batch(tmp_path: Path, filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join([json.dumps({"query": "噪音"}, ensure_ascii=False), "{broken",
                                json.dumps({"query": "yb"}), ""]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", filled, "kb", "search", "--batch", str(batch), "--limit", "5")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [x.get("query") for x in lines] == ["噪音", None, "yb"]
    assert lines[1] == {"line": 2, "error": "not valid JSON (Expecting property name enclosed in double quotes)"}
    assert lines[0]["results"] and set(lines[0]["results"][0]) == {"id", "score"}
    assert len(lines[0]["results"]) <= 5 and "elapsed_ms" in lines[0] and "elapsed_ms" in lines[2]


def test_search_batch_answers_every_good_line_whatever_the_bad_ones_hold(
        tmp_path: Path, filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.jsonl"
    bad = [b'{"query": "\\ud800"}', b'{"query": "\xe5\x99\xaa\\udfff\xe9\x9f\xb3"}', b"\xff\xfe",
           b"[" * 100_000, b'{"query": 5}', b'["\xe5\x99\xaa"]', b"{}"]
    good = json.dumps({"query": "噪音"}, ensure_ascii=False).encode()
    batch.write_bytes(b"\n".join(x for b in bad for x in (good, b)) + b"\n" + good + b"\n")
    code, out, err = run(capsys, "--data-dir", filled, "kb", "search", "--batch", str(batch))
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2 * len(bad) + 1
    answers, errors = lines[0::2], lines[1::2]
    assert all(a["query"] == "噪音" and a["results"] for a in answers)
    assert [e["line"] for e in errors] == list(range(2, 2 * len(bad) + 1, 2))
    assert all(set(e) == {"line", "error"} for e in errors)
    reasons = [e["error"] for e in errors]
    assert "not valid Unicode" in reasons[0] and "not valid Unicode" in reasons[1]
    assert reasons[2] == "not UTF-8 text" and "nested too deeply" in reasons[3]
    assert all("query" in r for r in reasons[4:])


def test_search_without_a_knowledge_base(tmp_path: Path, data_dir: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", data_dir, "kb", "search", "医保")
    assert code == 1 and "no knowledge base" in err
    code, _, err = run(capsys, "--data-dir", data_dir, "kb", "search")
    assert code == 1 and "QUERY" in err


def test_cli_runs_headless_without_qt(tmp_path: Path, filled: str) -> None:
    script = ("import sys\nfrom operator_app.cli import main\n"
              f"code = main(['--data-dir', {filled!r}, 'kb', 'search', '医保', '--json'])\n"
              "assert code == 0\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui')], 'Qt imported'\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, capture_output=True, timeout=60)

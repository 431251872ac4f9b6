"""The knowledge base on the server: editor API, versions, conflicts, retirement, import, feedback, pull feed."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from central_server.cli import main
from central_server.db.engine import make_engine, session_factory
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD, Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory

ARTICLE = {"id": "kb-noise-1", "title": "夜间施工噪音投诉", "body": "## 答复口径\n夜间22时至次日6时禁止施工。",
           "category": "城乡建设/噪音", "departments": ["示范市生态环境局"], "keywords": ["噪音", "施工"],
           "effective_from": "2024-01-01T00:00:00", "expires_at": "2099-01-01T00:00:00"}


@pytest.fixture
def api(server_factory: ServerFactory) -> Api:
    return Api(server_factory().url)


def _create(api: Api, admin: dict[str, str], **over: Any) -> dict[str, Any]:
    resp = api.post("/kb/articles", {**ARTICLE, **over}, headers=admin)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _edit(api: Api, admin: dict[str, str], article_id: str, base: int, **over: Any) -> requests.Response:
    body = {k: v for k, v in {**ARTICLE, **over}.items() if k != "id"}
    return api.http.put(f"{api.url}/api/v1/kb/articles/{article_id}", json={**body, "base_version": base},
                        headers=admin, timeout=30)


def test_create_edit_versions_and_conflict(api: Api) -> None:
    admin = api.token("admin")
    created = _create(api, admin)
    assert created["version"] == 1 and created["owner"] == "admin" and not created["retired"]
    assert created["effective_from"] == "2024-01-01T00:00:00" and created["departments"] == ["示范市生态环境局"]
    edited = _edit(api, admin, "kb-noise-1", 1, title="夜间施工噪音投诉（2025年修订）", owner="环境科")
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["owner"] == "环境科"
    same = _edit(api, admin, "kb-noise-1", 2, title="夜间施工噪音投诉（2025年修订）")  # unchanged: no version
    assert same.status_code == 200 and same.json()["version"] == 2 and same.json()["owner"] == "环境科"
    stale = _edit(api, admin, "kb-noise-1", 1, body="旧稿上的修改")
    assert "version 2" in assert_error(stale, 409, "version_conflict")["message"]
    got = api.get("/kb/articles/kb-noise-1", headers=admin).json()
    assert [v["version"] for v in got["versions"]] == [2, 1]
    assert got["versions"][1]["title"] == "夜间施工噪音投诉" and got["versions"][0]["edited_by"] == "admin"
    generated = _create(api, admin, id=None, title="无编号文章")
    assert uuid.UUID(generated["id"])
    assert_error(api.post("/kb/articles", ARTICLE, headers=admin), 409, "article_exists")
    assert_error(api.get("/kb/articles/nope", headers=admin), 404, "article_not_found")
    assert_error(_edit(api, admin, "nope", 1), 404, "article_not_found")


def test_pull_merges_kb_changes_with_case_events_in_change_order(api: Api, database_url: str) -> None:
    admin = api.token("admin")
    seat = SeatClient.register(api)
    other = SeatClient.register(api, operator="1002", seat_code="S002")
    seat.push([seat.case_created(1)])
    _create(api, admin)
    other.push([other.case_created(1, operator="1002")])
    assert _edit(api, admin, "kb-noise-1", 1, body="新口径").status_code == 200
    seat.push([seat.case_created(2)])
    retired = api.post("/kb/articles/kb-noise-1/retire", headers=admin)
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert api.post("/kb/articles/kb-noise-1/retire", headers=admin).status_code == 200  # no second tombstone
    assert_error(_edit(api, admin, "kb-noise-1", 2), 409, "article_retired")

    pages, cursor = [], 0
    while True:  # one change a page: the cursor never skips or repeats one
        page = seat.pull(cursor, limit=1).json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    changes = [c for p in pages for c in p["changes"]]
    assert [(c["entity"], c["op"], c["version"] if c["entity"] == "kb_article" else 0) for c in changes] == [
        ("case_event", "upsert", 0), ("kb_article", "upsert", 1), ("kb_article", "upsert", 2),
        ("case_event", "upsert", 0), ("kb_article", "delete", 2)]
    assert all(p["has_more"] for p in pages[:-1]) and len(pages) in (5, 6)
    upsert = changes[1]["data"]
    assert set(upsert) == {"id", "title", "body", "category", "departments", "keywords", "effective_from",
                           "expires_at", "version", "owner", "updated_at"}
    assert upsert["expires_at"] == "2099-01-01T00:00:00" and upsert["keywords"] == ["噪音", "施工"]
    assert changes[2]["data"]["body"] == "新口径" and changes[4]["data"] == {"id": "kb-noise-1", "version": 2}
    whole, end = seat.pull_all()
    assert whole == changes and end == cursor
    theirs, _ = other.pull_all()
    assert [c["entity"] for c in theirs] == ["kb_article", "case_event", "kb_article", "kb_article"]
    assert count_rows(database_url, "kb_changes") == 3 and count_rows(database_url, "kb_article_versions") == 2


def test_only_editors_and_admins_edit(api: Api, database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            create_user(session, username="kb01", name="知识库编辑", role="editor", password=PASSWORD)
    finally:
        engine.dispose()
    editor, operator, lead = api.token("kb01"), api.token("1001"), api.token("2001")
    created = _create(api, editor)
    assert created["owner"] == "kb01"
    for who in (operator, lead, {}):
        status, code = (403, "forbidden") if who else (401, "not_authenticated")
        assert_error(api.post("/kb/articles", {**ARTICLE, "id": "x2"}, headers=who), status, code)
        assert_error(_edit(api, who, "kb-noise-1", 1), status, code)
        assert_error(api.post("/kb/articles/kb-noise-1/retire", headers=who), status, code)
        assert_error(api.get("/kb/articles/kb-noise-1", headers=who), status, code)
        assert_error(api.get("/kb/feedback", headers=who), status, code)
    assert api.get("/kb/articles/kb-noise-1", headers=editor).json()["version"] == 1
    assert count_rows(database_url, "kb_articles") == 1


@pytest.mark.parametrize("over", [
    {"title": "标题\x00"}, {"body": "正文\x07"}, {"title": "", "body": "  "}, {"title": "长" * 201},
    {"departments": ["部门"] * 31}, {"keywords": ["词" * 61]}, {"keywords": "噪音"}, {"category": 5},
    {"expires_at": "2020-01-01T00:00:00"}, {"effective_from": "0001-01-01T00:00:00+14:00"},
    {"effective_from": "not a date"}, {"owner": "o" * 61}, {"id": "a/b"}, {"id": "x" * 201}, {"id": ""},
    {"id": "坏\x1b编号"}, {"surprise": True},
])
def test_bad_article_input_is_4xx_and_stores_nothing(api: Api, database_url: str, over: dict[str, Any]) -> None:
    resp = api.post("/kb/articles", {**ARTICLE, **over}, headers=api.token("admin"))
    assert 400 <= resp.status_code < 500, resp.text
    assert_error(resp, resp.status_code)
    assert count_rows(database_url, "kb_articles") == 0 and count_rows(database_url, "kb_changes") == 0


def test_bad_edit_input_is_4xx(api: Api) -> None:
    admin = api.token("admin")
    _create(api, admin)
    for base in (0, 2**40, "one", None):
        assert_error(_edit(api, admin, "kb-noise-1", base), 422)  # type: ignore[arg-type]
    assert_error(_edit(api, admin, "kb-noise-1", 1, body="\x00"), 422, "invalid_article")
    raw = api.http.put(f"{api.url}/api/v1/kb/articles/kb-noise-1", data=b"{not json", timeout=30,
                       headers={**admin, "Content-Type": "application/json"})
    assert_error(raw, 400, "malformed_json")
    assert_error(api.get("/kb/articles/" + "x" * 201, headers=admin), 422)
    assert_error(api.get("/kb/feedback", params={"limit": 0}, headers=admin), 422)
    for bad in ("a%00b", "a%1Bb", "%F0%9F%98%80%00"):  # NUL never reaches PostgreSQL
        assert_error(api.get(f"/kb/articles/{bad}", headers=admin), 422)
        assert_error(api.post(f"/kb/articles/{bad}/retire", headers=admin), 422)
        assert_error(_edit(api, admin, bad, 1), 422)
    assert_error(api.get("/kb/feedback", params={"article_id": "a\x00b"}, headers=admin), 422)


def test_concurrent_edits_one_wins_the_other_conflicts(api: Api, database_url: str) -> None:
    admin = api.token("admin")
    _create(api, admin)
    results: list[int] = []

    def edit(n: int) -> None:
        results.append(_edit(api, admin, "kb-noise-1", 1, body=f"第{n}稿").status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409]
    assert count_rows(database_url, "kb_article_versions") == 2 and count_rows(database_url, "kb_changes") == 2


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
                    + "\n", encoding="utf-8")
    return path


def test_cli_import_reports_bad_lines_and_skips_unchanged(api: Api, database_url: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    good = [{"id": f"imp-{i}", "title": f"文章{i}", "body": f"正文{i}", "departments": "甲局、乙局",
             "effective_from": "2024-05-01", "updated_at": "2024-05-02 08:00:00"} for i in range(3)]
    path = _write(tmp_path / "kb.jsonl", [
        good[0], "{not json", {"title": "没有编号", "body": "x"}, good[1], "",
        {"id": "imp-bad", "body": "x", "expires_at": "明天"}, {"id": "imp-nul", "body": "坏\u0000字"}, good[2],
    ])
    assert main(["kb", "import", str(path), "--db", database_url, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["updated"], report["unchanged"]) == (3, 0, 0)
    assert [e["line"] for e in report["errors"]] == [2, 3, 6, 7]
    assert "id" in report["errors"][1]["reason"] and "expires_at" in report["errors"][2]["reason"]
    assert main(["kb", "import", str(path), "--db", database_url, "--json"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert count_rows(database_url, "kb_article_versions") == 3 and count_rows(database_url, "kb_changes") == 3

    admin = api.token("admin")
    got = api.get("/kb/articles/imp-0", headers=admin).json()
    assert got["departments"] == ["甲局", "乙局"] and got["updated_at"] == "2024-05-02T08:00:00"
    assert api.post("/kb/articles/imp-2/retire", headers=admin).status_code == 200
    changed = _write(tmp_path / "kb2.jsonl", [{**good[0], "body": "新正文"}, good[1], {**good[2], "body": "复活？"}])
    assert main(["kb", "import", str(changed), "--db", database_url]) == 1
    out = capsys.readouterr()
    assert "1 updated" in out.out and "1 unchanged" in out.out and "line 3: article imp-2 is retired" in out.err
    assert [v["version"] for v in api.get("/kb/articles/imp-0", headers=admin).json()["versions"]] == [2, 1]
    assert api.get("/kb/articles/imp-2", headers=admin).json()["retired"] is True
    assert main(["kb", "import", str(tmp_path / "missing.jsonl"), "--db", database_url]) == 2


def test_seed_demo_imports_the_demo_articles_once(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo", "--db", database_url]) == 0
    assert "64 added" in capsys.readouterr().out
    assert main(["seed-demo", "--db", database_url]) == 0
    assert "64 unchanged" in capsys.readouterr().out
    assert count_rows(database_url, "kb_article_versions") == 64


def _feedback(seat: SeatClient, seq: int, **args: Any) -> dict[str, Any]:
    fid = str(uuid.uuid4())
    body = {"feedback_id": fid, "article_id": "kb-noise-1", "version": 1, "verdict": "outdated",
            "comment": "热线口径已在2025年调整", **args}
    return {"seq": seq, "mutation_id": str(uuid.uuid4()), "name": "kb.feedback", "operator_id": "1001",
            "entity_id": body["feedback_id"], "created_at": "2026-03-01T08:00:00.000+00:00", "args": body}


def test_feedback_is_applied_rejected_in_plain_words_and_listed(api: Api, database_url: str) -> None:
    admin = api.token("admin")
    _create(api, admin)
    seat = SeatClient.register(api)
    good = _feedback(seat, 1)
    batch = [good, _feedback(seat, 2, article_id="no-such-article"), _feedback(seat, 3, version=9),
             _feedback(seat, 4, verdict="meh"), _feedback(seat, 5, comment="坏\x00字"),
             _feedback(seat, 6, verdict="helpful", comment=""), {**_feedback(seat, 7), "entity_id": "x"},
             _feedback(seat, 8, article_id="kb\x00noise")]
    resp = seat.push(batch)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "rejected",
                                              "applied", "rejected", "rejected"]
    assert "no-such-article" in results[1]["error"] and "第 9 版" in results[2]["error"]
    assert [r["code"] for r in results] == [None, "unknown_article", "unknown_article", "invalid_args",
                                            "invalid_field", None, "invalid_args", "invalid_field"]
    again = seat.push([{**good, "seq": 9, "mutation_id": str(uuid.uuid4())}])  # same feedback_id re-sent
    assert again.json()["results"][0]["status"] == "applied"
    listed = api.get("/kb/feedback", headers=admin).json()["feedback"]
    assert len(listed) == 2 and count_rows(database_url, "kb_feedback") == 2
    outdated = next(f for f in listed if f["verdict"] == "outdated")
    assert outdated["comment"] == "热线口径已在2025年调整" and outdated["operator_id"] == "1001"
    assert outdated["seat_id"] == seat.seat_id and outdated["version"] == 1
    assert api.get("/kb/feedback", params={"article_id": "other"}, headers=admin).json()["feedback"] == []
    assert len(api.get("/kb/feedback", params={"limit": 1}, headers=admin).json()["feedback"]) == 1


def test_a_pull_costs_a_few_statements_however_many_articles_it_carries(server_factory: ServerFactory) -> None:
    """Every seat pulls every few seconds: the statements a pull runs must not grow with the page (a rollback
    before the rows were read once reloaded every article with a SELECT of its own)."""
    from sqlalchemy import event

    srv = server_factory()
    api = Api(srv.url)
    admin = api.token("admin")
    seat = SeatClient.register(api)
    for n in range(12):
        _create(api, admin, id=f"kb-count-{n}")
    seat.push([seat.case_created(1), seat.case_created(2)])
    engine = srv.server.config.app.state.engine
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = seat.pull()
        assert first.status_code == 200 and len(first.json()["changes"]) == 12 + 2
        at_first = len(statements)
        again = seat.pull(first.json()["cursor"])
        assert again.status_code == 200 and again.json()["changes"] == []
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert at_first <= 4, statements  # probe, events, articles (+ a seat check)
    assert len(statements) - at_first <= 2, statements  # nothing new: the probe

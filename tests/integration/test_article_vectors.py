"""Article vectors, seat ↔ real embedded server on loopback: an article edited on the server reaches a running seat
with its new vector in one pull; with the encoder off the seat gets the article without one and searches
lexically; the server's worker backfills an imported article (seats then pull it again) and embeds pushed cases."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import CaseVector
from central_server.embedded import EmbeddedServer
from central_server.services.kb_import import import_file
from contract.city.model import City
from knowledge_base import KnowledgeBase, SearchHit
from operator_app.seat import Seat
from operator_app.services.intake import submit_case
from semantic import Encoder, VectorRecord, article_passage, case_passage, encoder_id, query_text
from semantic.codec import unpack
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.pull_apply import kb_path_for
from tests.core.helpers import dispatch_form
from tests.integration.conftest import engine_for, server_on, start_server
from tests.integration.test_kb_sync import counting_pulls, edit, server_article

ADDED = "\n\n## 2026年新增\n蓝鲸补贴按季度发放，申请人须在每季度末前提交材料。"


@pytest.fixture(params=["sqlite", "postgresql"])
def server_no_worker(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                     ) -> Iterator[EmbeddedServer]:
    """The embedded server (demo city) with the background worker off: only the request path embeds, so the
    demo articles keep no vector and the test sees exactly what the edit brought."""
    monkeypatch.setenv("CENTRAL_SERVER_VECTOR_WORKER", "false")
    with server_on(request, tmp_path, "article_vectors") as (srv, _url):
        yield srv


def synced_engine(seat: Seat, url: str) -> SyncEngine:
    engine = engine_for(seat, url)
    engine.login("1001", DEMO_PASSWORD)
    assert len(engine.run_once().kb_article_ids) == 64  # the demo articles
    return engine


def seat_vectors(seat: Seat, encoder: str) -> dict[str, np.ndarray]:
    """The vectors the seat's search would use now (current versions only), by article id."""
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        docnos, blobs = kb.vectors(encoder)
    conn = sqlite3.connect(kb_path_for(seat.store))
    try:
        ids = dict(conn.execute("SELECT docno, id FROM articles").fetchall())
    finally:
        conn.close()
    return {ids[d]: unpack(b) for d, b in zip(docnos, blobs, strict=True)}



def test_an_article_edited_on_the_server_reaches_a_running_seat_with_its_new_vector_in_one_pull(
        encoder: Encoder, seat: Seat, server_no_worker: EmbeddedServer) -> None:
    url = server_no_worker.url
    engine = synced_engine(seat, url)
    assert seat_vectors(seat, encoder.id) == {}  # the demo was seeded without vectors and the worker is off
    before = server_article(url, "demo-001")
    edited = edit(url, "demo-001", body=before["body"] + ADDED)
    assert edited["version"] == 2

    pulls = counting_pulls(engine)
    report = engine.run_once()
    assert len(pulls) == 1 and report.kb_article_ids == {"demo-001"}
    got = seat_vectors(seat, encoder.id)
    assert set(got) == {"demo-001"}
    fresh = encoder.passage(article_passage(edited["title"], edited["body"]))
    stale = encoder.passage(article_passage(before["title"], before["body"]))
    assert float(got["demo-001"] @ fresh) > 0.99
    assert float(got["demo-001"] @ fresh) > float(got["demo-001"] @ stale)  # the new version's, not the old one's
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        article = kb.get("demo-001")
        assert article is not None and article.version == 2 and "蓝鲸补贴" in article.body
        assert kb.search("蓝鲸补贴")[0].id == "demo-001"  # a seat with no encoder: lexical search, as before

    # a second edit replaces it; the first version's vector no longer counts
    edit(url, "demo-001", body=before["body"] + "\n\n## 2027年\n补贴改为按月发放。")
    engine.run_once()
    again = seat_vectors(seat, encoder.id)
    assert set(again) == {"demo-001"} and float(again["demo-001"] @ fresh) < 0.99


def test_with_the_encoder_off_the_seat_gets_the_article_without_a_vector_and_searches_lexically(
        seat: Seat, server_no_worker: EmbeddedServer) -> None:
    url = server_no_worker.url
    engine = synced_engine(seat, url)
    edit(url, "demo-001", body=server_article(url, "demo-001")["body"] + ADDED)
    pulls = counting_pulls(engine)
    assert engine.run_once().kb_article_ids == {"demo-001"} and len(pulls) == 1
    assert seat_vectors(seat, encoder_id()) == {}
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        assert kb.search("蓝鲸补贴")[0].id == "demo-001"


def ids_of(hits: list[SearchHit]) -> list[str]:
    return [h.id for h in hits]


def wait_for(what: str, check: Any, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} within {seconds:.0f} s"
        time.sleep(0.1)


def test_the_worker_backfills_an_imported_article_the_seat_then_pulls_and_embeds_a_pushed_case(
        encoder: Encoder, seat: Seat, city: City, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    srv = start_server(url, vector_poll_seconds=0.1, vector_batch=2, vector_start_delay_seconds=0)
    sessions = session_factory(make_engine(url))
    try:
        engine = engine_for(seat, srv.url)
        engine.login("1001", DEMO_PASSWORD)
        engine.run_once()
        lines = tmp_path / "import.jsonl"
        body = "租房提取住房公积金须先办理租赁备案，每季度可提取一次。"
        lines.write_text(json.dumps({"id": "kb-import-1", "title": "公积金租房提取", "body": body},
                                    ensure_ascii=False) + "\n", encoding="utf-8")
        with sessions() as session:
            assert import_file(session, lines, timezone=ZoneInfo("Asia/Shanghai")).added == 1
        case_id = submit_case(seat.store, city, form=dispatch_form(city, content="小区门口的路灯坏了一个月没人修"),
                              operator_id="1001").case_id
        engine.run_once()  # pushes the case; may or may not bring the article's vector yet

        def case_vector() -> VectorRecord | None:
            with sessions() as session:
                row = session.get(CaseVector, case_id)
                return None if row is None else VectorRecord(row.encoder, row.dim, row.data)

        wait_for("the pushed case has a vector", lambda: case_vector() is not None)
        wait_for("the imported article reaches the seat with its vector",
                 lambda: engine.run_once() is not None and "kb-import-1" in seat_vectors(seat, encoder.id))
        got = seat_vectors(seat, encoder.id)["kb-import-1"]
        assert float(got @ encoder.passage(article_passage("公积金租房提取", body))) > 0.99
        record = case_vector()
        assert record is not None
        assert float(record.vector() @ encoder.passage(case_passage("小区门口的路灯坏了一个月没人修"))) > 0.99
    finally:
        started = time.monotonic()
        srv.stop()
        sessions.kw["bind"].dispose()
    assert time.monotonic() - started < 3.0  # the worker, busy with the demo articles, stopped promptly


def test_the_seats_fused_search_uses_the_vectors_it_pulled(
        encoder: Encoder, seat: Seat, server_no_worker: EmbeddedServer) -> None:
    url = server_no_worker.url
    engine = synced_engine(seat, url)
    query = "打零工的怎么自己交退休金"  # demo-001 (灵活就业人员如何参加职工养老保险) in other words
    vector = encoder.query(query_text(query))
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        lexical = ids_of(kb.search(query))
        assert lexical[0] != "demo-001" and "demo-001" in lexical  # found, but not first, by words alone
        assert ids_of(kb.search(query, query_vector=vector)) == lexical  # no vectors on the seat yet
    for article_id in ("demo-001", "demo-043", "demo-055"):  # edits bring their vectors; the rest have none
        edit(url, article_id, body=server_article(url, article_id)["body"] + "\n\n（2026年核对，内容无变化）")
    engine.run_once()
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        assert kb.vector_count(encoder.id) == 3
        assert ids_of(kb.search(query))[0] != "demo-001"
        assert ids_of(kb.search(query, query_vector=vector))[0] == "demo-001"

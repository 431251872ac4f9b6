"""Knowledge base, seat ↔ real embedded server: edits reach the seat's local search in one pull, retirements
disappear, expiry is flagged, feedback reaches the editors, and a crash between the two files only replays."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from central_server.embedded import EmbeddedServer
from knowledge_base import KnowledgeBase, SearchHit
from operator_app.seat import Seat, open_seat
from operator_app.services.kb_feedback import record_feedback
from sync import engine as engine_module
from sync import pull_apply
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.outbox import rejected_changes
from sync.pull_apply import kb_path_for
from sync.secrets import SecretStore
from tests.integration.conftest import engine_for, token

CITY = ZoneInfo("Asia/Shanghai")


def ids(hits: list[SearchHit]) -> list[str]:
    return [h.id for h in hits]


def editor(url: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(url)}"}


def server_article(url: str, article_id: str) -> dict[str, Any]:
    resp = requests.get(f"{url}/api/v1/kb/articles/{article_id}", headers=editor(url), timeout=10)
    resp.raise_for_status()
    return dict(resp.json())


def edit(url: str, article_id: str, **changes: Any) -> dict[str, Any]:
    current = server_article(url, article_id)
    body = {k: current[k] for k in ("title", "body", "category", "departments", "keywords", "effective_from",
                                    "expires_at", "owner")}
    resp = requests.put(f"{url}/api/v1/kb/articles/{article_id}", headers=editor(url), timeout=10,
                        json={**body, **changes, "base_version": current["version"]})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def counting_pulls(engine: SyncEngine) -> list[int]:
    """Wrap the client's pull so the test can count the round trips."""
    calls: list[int] = []
    real = engine.client.pull

    def pull(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    engine.client.pull = pull  # type: ignore[method-assign]
    return calls


@pytest.fixture
def synced(seat: Seat, server: EmbeddedServer) -> SyncEngine:
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    report = engine.run_once()
    assert len(report.kb_article_ids) == 64  # the demo articles the embedded server seeded
    return engine


def test_an_edit_reaches_local_search_in_one_pull_and_a_retirement_disappears(
        seat: Seat, server: EmbeddedServer, synced: SyncEngine) -> None:
    reader = KnowledgeBase.open(kb_path_for(seat.store), readonly=True)  # as the UI's search worker holds it
    try:
        assert reader.count() == 64 and "demo-001" not in ids(reader.search("蓝鲸"))
        edited = edit(server.url, "demo-001", body=server_article(server.url, "demo-001")["body"]
                      + "\n\n## 2026年新增\n蓝鲸补贴按季度发放。")
        assert edited["version"] == 2
        pulls = counting_pulls(synced)
        report = synced.run_once()
        assert len(pulls) == 1 and report.kb_article_ids == {"demo-001"}
        hits = reader.search("蓝鲸补贴")
        assert hits[0].id == "demo-001" and hits[0].version == 2
        assert "蓝鲸补贴" in reader.get("demo-001").body  # type: ignore[union-attr]

        title = edited["title"]
        assert reader.search(title)[0].id == "demo-001"
        resp = requests.post(f"{server.url}/api/v1/kb/articles/demo-001/retire", headers=editor(server.url),
                             timeout=10)
        assert resp.status_code == 200
        assert synced.run_once().kb_article_ids == {"demo-001"}
        assert "demo-001" not in ids(reader.search(title))
        assert "demo-001" not in ids(reader.search("蓝鲸补贴", current_only=False))
        kept = reader.get("demo-001")
        assert kept is not None and kept.retired and kept.version == 2  # still viewable for cases citing it
        assert reader.count() == 63
        assert synced.run_once().kb_article_ids == set()
    finally:
        reader.close()


def test_an_article_whose_expiry_passes_is_flagged(seat: Seat, server: EmbeddedServer, synced: SyncEngine) -> None:
    now = datetime.now(CITY).replace(tzinfo=None, microsecond=0)
    expires = now + timedelta(hours=1)
    resp = requests.post(f"{server.url}/api/v1/kb/articles", headers=editor(server.url), timeout=10, json={
        "id": "temp-heating", "title": "临时供暖延长通知", "body": "今年供暖期延长至三月底，独角鲸小区同步执行。",
        "category": "城乡建设/供暖", "expires_at": expires.replace(tzinfo=CITY).isoformat()})
    assert resp.status_code == 201, resp.text
    assert resp.json()["expires_at"] == expires.isoformat()
    assert synced.run_once().kb_article_ids == {"temp-heating"}
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        before = kb.search("独角鲸小区供暖", now=now)
        assert (before[0].id, before[0].expired) == ("temp-heating", False)
        later = now + timedelta(hours=2)
        assert "temp-heating" not in ids(kb.search("独角鲸小区供暖", now=later))  # current only: hidden
        flagged = [h for h in kb.search("独角鲸小区供暖", now=later, current_only=False) if h.id == "temp-heating"]
        assert [h.expired for h in flagged] == [True]


def test_feedback_syncs_and_the_server_lists_it(seat: Seat, server: EmbeddedServer, synced: SyncEngine) -> None:
    record_feedback(seat.store, article_id="demo-002", version=1, verdict="wrong", comment="电话号码已变更",
                    operator_id="1001")
    record_feedback(seat.store, article_id="no-such-article", version=1, verdict="helpful", comment="",
                    operator_id="1001")
    report = synced.run_once()
    assert (report.acked, report.rejected) == (1, 1)
    [refused] = rejected_changes(seat.store)
    assert refused.name == "kb.feedback" and "no-such-article" in refused.reason
    resp = requests.get(f"{server.url}/api/v1/kb/feedback", headers=editor(server.url), timeout=10)
    [item] = resp.json()["feedback"]
    assert (item["article_id"], item["version"], item["verdict"], item["comment"], item["operator_id"]) == (
        "demo-002", 1, "wrong", "电话号码已变更", "1001")


def test_a_crash_between_the_kb_and_the_cursor_only_replays(seat: Seat, server: EmbeddedServer, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = SecretStore(None)
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    real = pull_apply.apply_pulled

    def crash_after_kb(store: Any, changes: Any, cursor: int, *, kb: Any = None) -> Any:
        if kb is not None:
            pull_apply.apply_kb_changes(kb, changes)
        raise OSError("power cut before the seat store committed the cursor")

    monkeypatch.setattr(engine_module, "apply_pulled", crash_after_kb)
    with pytest.raises(OSError):
        engine.run_once()
    monkeypatch.setattr(engine_module, "apply_pulled", real)
    data_dir = seat.store.path.parent
    with KnowledgeBase.open(kb_path_for(seat.store), readonly=True) as kb:
        assert kb.count() == 64  # the knowledge base took the page ...
    seat.close()

    restarted = open_seat(data_dir)  # ... the seat restarts with its cursor still at 0 and pulls it all again
    try:
        again = SyncEngine(restarted.store, engine.client, secrets)
        again.login("1001", DEMO_PASSWORD)
        report = again.run_once()
        assert report.kb_article_ids == set()  # every version was already there: nothing re-applied
        assert again.run_once().kb_article_ids == set()
        with KnowledgeBase.open(kb_path_for(restarted.store), readonly=True) as kb:
            assert kb.count() == 64 and kb.search("灵活就业 养老保险")[0].id == "demo-001"
        edit(server.url, "demo-003", title="更新后的标题：独角兽政策")
        assert again.run_once().kb_article_ids == {"demo-003"}
    finally:
        restarted.close()

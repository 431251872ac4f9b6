"""The seat's knowledge-base half of sync: pulled articles applied idempotently before the cursor; feedback queued."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contract.names import ENTITY_KB_ARTICLE
from contract.protocol import Change
from knowledge_base import KnowledgeBase
from operator_app.errors import StoreError, ValidationError
from operator_app.seat import Seat
from operator_app.services.kb_feedback import record_feedback
from operator_app.store import schema
from sync.outbox import pending_batch
from sync.pull_apply import apply_pulled, kb_path_for


def upsert(aid: str, version: int, **over: Any) -> Change:
    data = {"id": aid, "title": f"住房公积金提取 v{version}", "body": "租房提取公积金需要租赁备案。",
            "category": "住房/公积金", "departments": ["公积金中心"], "keywords": ["公积金"],
            "effective_from": "2024-01-01T00:00:00", "expires_at": None, "version": version, "owner": "编辑部",
            "updated_at": "2024-06-01T09:30:00", **over}
    return Change(entity=ENTITY_KB_ARTICLE, id=aid, op="upsert", version=version, data=data)


def tombstone(aid: str, version: int) -> Change:
    return Change(entity=ENTITY_KB_ARTICLE, id=aid, op="delete", version=version, data={"id": aid, "version": version})


def cursor_of(seat: Seat) -> int:
    with seat.store.read() as conn:
        return int(conn.execute(select(schema.sync_state.c.pull_cursor)).scalar_one())


@pytest.fixture
def kb(seat: Seat) -> Any:
    base = KnowledgeBase.open(kb_path_for(seat.store))
    yield base
    base.close()


def test_the_kb_file_sits_beside_the_store(seat: Seat) -> None:
    assert kb_path_for(seat.store) == seat.store.path.parent / "kb.sqlite"


def test_upserts_and_tombstones_apply_once_and_replays_change_nothing(seat: Seat, kb: KnowledgeBase) -> None:
    changes = [upsert("a1", 1), upsert("a2", 1), upsert("a1", 2, body="新规：租房提取每月一次。"), tombstone("a2", 1)]
    outcome = apply_pulled(seat.store, changes, 40, kb=kb)
    assert outcome.kb_applied == 4 and outcome.kb_article_ids == ("a1", "a2") and outcome.applied == 0
    assert cursor_of(seat) == 40
    a1 = kb.get("a1")
    assert a1 is not None and a1.version == 2 and a1.owner == "编辑部" and a1.departments == ("公积金中心",)
    assert a1.updated_at == datetime(2024, 6, 1, 9, 30) and a1.effective_from == datetime(2024, 1, 1)
    assert [h.id for h in kb.search("租房提取")] == ["a1"]  # a2 retired: viewable, never found
    a2 = kb.get("a2")
    assert a2 is not None and a2.retired
    # A crash after the KB took the page but before the cursor commit: the page comes again, nothing moves.
    again = apply_pulled(seat.store, changes, 40, kb=kb)
    assert again.kb_applied == 0
    assert kb.get("a1").version == 2 and kb.get("a2").retired  # type: ignore[union-attr]
    assert apply_pulled(seat.store, [upsert("a1", 1)], 41, kb=kb).kb_applied == 0  # an older version


def test_without_a_kb_article_changes_are_skipped_but_cases_still_apply(seat: Seat) -> None:
    outcome = apply_pulled(seat.store, [upsert("a1", 1)], 7)
    assert outcome.kb_applied == 0 and cursor_of(seat) == 7


def test_an_unreadable_change_is_skipped_not_fatal(seat: Seat, kb: KnowledgeBase) -> None:
    bad = [upsert("b1", 1, departments="不是列表"), upsert("b2", 1, expires_at="明年"), upsert("b3", 0),
           upsert("ok", 1)]
    assert apply_pulled(seat.store, bad, 9, kb=kb).kb_article_ids == ("ok",)
    assert cursor_of(seat) == 9


def test_a_kb_write_failure_keeps_the_cursor(seat: Seat, tmp_path: Path) -> None:
    reader = KnowledgeBase.open(tmp_path / "ro.sqlite")
    reader.close()
    readonly = KnowledgeBase.open(tmp_path / "ro.sqlite", readonly=True)
    try:
        with pytest.raises(StoreError):
            apply_pulled(seat.store, [upsert("a1", 1)], 12, kb=readonly)
    finally:
        readonly.close()
    assert cursor_of(seat) == 0


def test_feedback_is_queued_as_one_mutation(seat: Seat) -> None:
    changes = record_feedback(seat.store, article_id="demo-001", version=3, verdict="outdated",
                              comment="  缴费基数已调整\n请更新  ", operator_id="1001")
    assert changes.outbox and not changes.case_ids
    [m] = pending_batch(seat.store)
    assert m.name == "kb.feedback" and m.operator_id == "1001" and m.entity_id == m.args["feedback_id"]
    assert {k: v for k, v in m.args.items() if k != "feedback_id"} == {
        "article_id": "demo-001", "version": 3, "verdict": "outdated", "comment": "缴费基数已调整\n请更新"}
    json.dumps(m.args)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"verdict": "good"}, "verdict"), ({"comment": "长" * 501}, "comment"), ({"comment": "坏\x00字"}, "comment"),
    ({"comment": "铃\x07"}, "comment"), ({"article_id": ""}, "article_id"), ({"article_id": "a\x1bb"}, "article_id"),
    ({"version": 0}, "version"), ({"version": True}, "version"), ({"operator_id": ""}, "operator_id"),
])
def test_bad_feedback_is_refused_in_chinese_and_nothing_queued(seat: Seat, kwargs: dict[str, Any],
                                                               field: str) -> None:
    args: dict[str, Any] = {"article_id": "demo-001", "version": 1, "verdict": "helpful", "comment": "",
                            "operator_id": "1001", **kwargs}
    with pytest.raises(ValidationError) as info:
        record_feedback(seat.store, **args)
    assert info.value.field == field and any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
    assert pending_batch(seat.store) == []

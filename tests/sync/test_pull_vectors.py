"""The seat's side of article vectors: a pulled upsert's `vector` is validated and stored with that version; a
malformed one is dropped with the article still applied; a same-version upsert brings the vector alone."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from contract.names import ENTITY_KB_ARTICLE
from contract.protocol import Change
from knowledge_base import KnowledgeBase
from operator_app.seat import Seat
from semantic.codec import VectorRecord, pack, unpack
from sync.pull_apply import apply_pulled, kb_path_for

ENCODER = "test-encoder@1"
TEXT = "租房提取公积金需要租赁备案。"


def vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


def wire(v: np.ndarray, encoder: str = ENCODER) -> dict[str, object]:
    return VectorRecord(encoder, v.size, pack(v)).to_json()


def upsert(aid: str, version: int, **over: Any) -> Change:
    data = {"id": aid, "title": f"住房公积金提取 v{version}", "body": TEXT, "category": "住房/公积金",
            "departments": ["公积金中心"], "keywords": ["公积金"], "effective_from": None, "expires_at": None,
            "version": version, "owner": "编辑部", "updated_at": "2024-06-01T09:30:00", **over}
    return Change(entity=ENTITY_KB_ARTICLE, id=aid, op="upsert", version=version, data=data)


@pytest.fixture
def kb(seat: Seat) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase.open(kb_path_for(seat.store))
    yield base
    base.close()


def stored(kb: KnowledgeBase, aid: str, encoder: str = ENCODER) -> np.ndarray | None:
    """The vector that counts for `aid` now (its current version's), or None."""
    article = kb.get(aid)
    assert article is not None
    docnos, blobs = kb.vectors(encoder)
    found = [b for d, b in zip(docnos, blobs, strict=True) if d == docno_of(kb, aid)]
    return unpack(found[0]) if found else None


def docno_of(kb: KnowledgeBase, aid: str) -> int:
    return int(kb._conn.execute("SELECT docno FROM articles WHERE id = ?", (aid,)).fetchone()[0])


def test_a_pulled_vector_is_stored_with_its_version_and_a_new_version_without_one_drops_it(
        seat: Seat, kb: KnowledgeBase) -> None:
    v1 = vector(1)
    outcome = apply_pulled(seat.store, [upsert("a1", 1, vector=wire(v1)), upsert("a2", 1)], 10, kb=kb)
    assert outcome.kb_article_ids == ("a1", "a2") and outcome.quarantined == 0
    got = stored(kb, "a1")
    assert got is not None and float(got @ v1) > 0.999  # int8 on the wire: equal up to quantisation
    assert stored(kb, "a2") is None
    assert kb.vectors("another-encoder@2") == ([], [])  # a seat's search asks for its own encoder's vectors

    apply_pulled(seat.store, [upsert("a1", 2, body="新规：租房提取每月一次。")], 11, kb=kb)
    assert stored(kb, "a1") is None  # version 1's vector no longer describes the article
    v2 = vector(2)
    outcome = apply_pulled(seat.store, [upsert("a1", 3, body="新规三", vector=wire(v2))], 12, kb=kb)
    got = stored(kb, "a1")
    assert outcome.kb_article_ids == ("a1",) and got is not None and float(got @ v2) > 0.999


def test_a_same_version_upsert_brings_the_vector_alone_and_an_older_one_is_ignored(
        seat: Seat, kb: KnowledgeBase) -> None:
    apply_pulled(seat.store, [upsert("a1", 2, body="第二版正文")], 10, kb=kb)
    assert stored(kb, "a1") is None
    v = vector(3)
    # the server's worker embedded version 2 after the seat had pulled it
    outcome = apply_pulled(seat.store, [upsert("a1", 1, vector=wire(vector(4))), upsert("a1", 2, vector=wire(v))],
                           11, kb=kb)
    assert outcome.kb_article_ids == ("a1",)
    article = kb.get("a1")
    assert article is not None and article.version == 2 and article.body == "第二版正文"
    got = stored(kb, "a1")
    assert got is not None and float(got @ v) > 0.999
    assert [h.id for h in kb.search("第二版正文")] == ["a1"]
    # a replay of the same change changes nothing
    apply_pulled(seat.store, [upsert("a1", 2, vector=wire(v))], 12, kb=kb)
    assert len(kb.vectors(ENCODER)[0]) == 1


@pytest.mark.parametrize("bad", [
    "not an object",
    {"encoder": ENCODER, "dim": 384, "data": "%%% not base64"},
    {"encoder": ENCODER, "dim": 384, "data": base64.b64encode(b"\x00" * 10).decode()},  # wrong length
    {"encoder": ENCODER, "dim": 384, "data": base64.b64encode(b"\x00" * 388).decode()},  # scale 0
    {"encoder": "", "dim": 384, "data": base64.b64encode(pack(vector(5))).decode()},
    {"encoder": ENCODER, "dim": True, "data": base64.b64encode(pack(vector(5))).decode()},
    {"encoder": ENCODER, "dim": 383, "data": base64.b64encode(pack(vector(5))).decode()},
])
def test_a_malformed_vector_is_dropped_and_the_article_still_applied(
        seat: Seat, kb: KnowledgeBase, bad: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    outcome = apply_pulled(seat.store, [upsert("a1", 1, vector=bad)], 10, kb=kb)
    assert outcome.kb_article_ids == ("a1",) and outcome.quarantined == 0
    article = kb.get("a1")
    assert article is not None and article.version == 1
    assert [h.id for h in kb.search("租房提取")] == ["a1"]  # searched lexically
    assert stored(kb, "a1") is None
    assert "malformed vector" in caplog.text and TEXT not in caplog.text

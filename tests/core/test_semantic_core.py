"""The encoder's switch and availability, and the compact vector format."""

from __future__ import annotations

import numpy as np
import pytest

from semantic import VectorRecord, availability, load_encoder, pack, unpack
from semantic.texts import ARTICLE_CHARS, article_passage


def test_switched_off_gives_no_encoder_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPERATOR_DESK_ENCODER", "off")
    assert load_encoder(1) is None
    state = availability()
    assert not state.available and "switched off" in state.reason


def test_meaning_is_closer_than_unrelated(encoder) -> None:  # type: ignore[no-untyped-def]
    q = encoder.query("楼下饭店油烟太大")
    near, far = encoder.passages(["餐馆排放油烟污染，影响居民生活", "社保卡丢失如何补办"])
    assert float(q @ near) > float(q @ far)
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-3


def test_pack_round_trip_keeps_cosines() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(2, 384)).astype(np.float32)
    a /= np.linalg.norm(a)
    b /= np.linalg.norm(b)
    blob = pack(a)
    assert len(blob) == 4 + 384
    assert abs(float(unpack(blob) @ unpack(pack(b))) - float(a @ b)) < 0.01


@pytest.mark.parametrize(
    "raw",
    [None, {}, {"encoder": "", "dim": 384, "data": ""}, {"encoder": "e", "dim": True, "data": "AA=="},
     {"encoder": "e", "dim": 384, "data": "not base64!"}, {"encoder": "e", "dim": 3, "data": "AAAAAAAAAA=="}],
)
def test_malformed_vector_records_are_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        VectorRecord.from_json(raw)


def test_zero_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        unpack(b"\x00\x00\x00\x00" + b"\x01" * 384, 384)


def test_record_json_round_trip() -> None:
    v = np.ones(384, dtype=np.float32) / np.sqrt(384)
    record = VectorRecord("m@1", 384, pack(v))
    again = VectorRecord.from_json(record.to_json())
    assert again == record and abs(float(again.vector() @ v) - 1.0) < 1e-3


def test_article_passage_is_cut() -> None:
    assert len(article_passage("标题", "字" * 5000)) == ARTICLE_CHARS

"""The shipped model: loads fast, checks its content hash, refuses tampering, survives bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from operator_app.routing.artifacts import MANIFEST, content_hash
from operator_app.routing.errors import RoutingModelError
from operator_app.routing.model import RoutingModel
from operator_app.routing.text import MAX_FIELD_CHARS

from .helpers import SHIPPED_MODEL

pytestmark = pytest.mark.skipif(
    not (SHIPPED_MODEL / MANIFEST).is_file(),
    reason="no shipped model in resources/routing (run `operator-app route train`)",
)


@pytest.fixture(scope="module")
def model() -> RoutingModel:
    return RoutingModel.load(SHIPPED_MODEL)


def test_shipped_model_loads_and_reports_its_version() -> None:
    loaded = RoutingModel.load(SHIPPED_MODEL)  # its load time is benchmarks/routing_speed.py's to print
    manifest = json.loads((SHIPPED_MODEL / MANIFEST).read_text(encoding="utf-8"))
    assert loaded.version == manifest["model_version"] == content_hash(manifest["files"])
    assert len(loaded.labels) == 7
    assert {"top1", "top3", "baseline"} <= set(loaded.metrics)


def test_shipped_confidence_is_calibrated_on_the_held_out_part(model: RoutingModel) -> None:
    figures = model.metrics
    assert figures["calibration_error"] < 0.05  # the UI shows low confidence as low: it must mean it
    assert abs(figures["mean_confidence"] - figures["top1"]) < 0.05
    assert model.members and all(m.temperature > 0 for m in model.members)


def test_arrays_are_float32_and_there_is_no_pickle() -> None:
    for path in SHIPPED_MODEL.glob("*.npy"):
        array = np.load(path, allow_pickle=False)
        assert array.dtype == np.float32, path.name
    assert not list(SHIPPED_MODEL.glob("*.pkl")) and not list(SHIPPED_MODEL.glob("*.pickle"))


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(SHIPPED_MODEL, target)
    return target


def test_tampered_weights_are_refused(copy: Path) -> None:
    weights = next(copy.glob("weights_*.npy"))
    array = np.load(weights)
    array[0, 0] += 1.0
    np.save(weights, array)
    with pytest.raises(RoutingModelError, match="does not match its manifest hash"):
        RoutingModel.load(copy)


def test_tampered_manifest_version_is_refused(copy: Path) -> None:
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["model_version"] = "0" * 64
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RoutingModelError, match="version does not match"):
        RoutingModel.load(copy)


def test_missing_file_and_missing_directory_are_refused(copy: Path, tmp_path: Path) -> None:
    next(copy.glob("vocab_*.json")).unlink()
    with pytest.raises(RoutingModelError, match="incomplete"):
        RoutingModel.load(copy)
    with pytest.raises(RoutingModelError, match="manifest.json is missing"):
        RoutingModel.load(tmp_path / "nowhere")


def test_prediction_shape_and_terms(model: RoutingModel) -> None:
    title = "小区物业乱收停车费，业主很不满"
    out = model.predict(title, "物业公司每月多收停车费，业主委员会多次反映没有结果。", top_k=3)
    assert len(out) == 3
    confidences = [c for _, c in out]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.0 < sum(confidences) <= 1.0 + 1e-6
    assert out[0].label == "城乡建设"
    assert out[0].terms and all(
        t in title + "物业公司每月多收停车费，业主委员会多次反映没有结果。" for t in out[0].terms
    )
    assert len(model.predict(title, "", top_k=7)) == 7


def test_reasons_shown_are_words_that_say_something(model: RoutingModel) -> None:
    chatty = "我们这个小区有一个问题，就是物业一直没有来修电梯，我们说了好几次了，他们也不管，是不是要等出事？"
    reasons = [t for p in model.predict("", chatty, top_k=3) for t in p.terms]
    assert reasons and not {"我们", "一个", "没有", "他们", "是", "了", "不"} & set(reasons)
    assert {"物业", "电梯"} & set(reasons)
    assert all(not any(ch.isdigit() for ch in t) for p in model.predict("", "收费100元，多收了50元", top_k=3)
               for t in p.terms)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("", ""),
        ("   \n\t", ""),
        ("！？。，、……", "!!!???...---"),
        ("12345 67890", ""),
        ("Please fix the street lights on my road", "They have been broken for weeks."),
    ],
    ids=["empty", "whitespace", "punctuation", "digits", "english"],
)
def test_inputs_without_chinese_give_no_suggestion(model: RoutingModel, title: str, body: str) -> None:
    assert model.predict(title, body) == []


def test_non_text_input_gives_no_suggestion(model: RoutingModel) -> None:
    assert model.predict(None, 42) == []  # type: ignore[arg-type]


def test_very_long_input_is_cut_and_does_not_fail(model: RoutingModel) -> None:
    body = ("道路施工噪音扰民晚上十点以后还在施工" * 6000)[:100_000]
    out = model.predict("", body)
    # only the first MAX_FIELD_CHARS count, so a pasted book costs what a long complaint does
    assert out == model.predict("", body[:MAX_FIELD_CHARS])
    assert isinstance(out, list) and len(out) <= 3
    assert all(0.0 <= c <= 1.0 for _, c in out)


def test_a_single_character_is_low_confidence_or_nothing(model: RoutingModel) -> None:
    out = model.predict("的", "")
    assert out == [] or out[0].confidence < 0.9

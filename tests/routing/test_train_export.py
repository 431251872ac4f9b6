"""Training export on a tiny made-up corpus: numpy prediction equals scikit-learn's scores."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from operator_app.routing.dataset import Example, augment
from operator_app.routing.export import block_text
from operator_app.routing.model import RoutingModel
from operator_app.routing.text import char_ngrams

train_mod = pytest.importorskip(
    "operator_app.routing.train", reason="training needs scikit-learn (dev extra)"
)

MADE_UP = [
    ("小区物业乱收费", "物业公司多收停车费", "城乡建设"),
    ("道路施工噪音", "夜间施工影响休息", "城乡建设"),
    ("学校违规补课", "学校周末补课收费", "教育文体"),
    ("老师体罚学生", "班主任体罚学生", "教育文体"),
    ("社保断缴怎么办", "养老保险缴费中断", "劳动和社会保障"),
    ("拖欠农民工工资", "工地老板拖欠工资", "劳动和社会保障"),
]


def test_exported_model_matches_sklearn_scores(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    examples = [Example(t, b, label) for t, b, label in MADE_UP]
    labels = sorted({ex.label for ex in examples})
    spec = train_mod.BlockSpec(min_df=1)
    members = [
        train_mod.MemberSpec(name="svm", kind="svm", blocks=(spec,)),
        train_mod.MemberSpec(name="nb", kind="nbsvm", blocks=(spec,)),
    ]
    fitted = train_mod.fit_members(examples, labels, members)
    train_mod.export(
        fitted, tmp_path, labels=labels, calibration={"members": [1.0, 1.0], "final": 1.0}, extra={}
    )
    model = RoutingModel.load(tmp_path)
    assert len(model.members) == 2 and model.blocks[0].vocab is model.blocks[1].vocab  # one shared vocabulary

    vocab = fitted.vocabs[spec.vocab_key]
    vec = TfidfVectorizer(analyzer=lambda s: char_ngrams(s, 1, 2), sublinear_tf=True, vocabulary=vocab.terms)
    vec.idf_ = vocab.idf
    query = Example("学校补课", "周末收费补课", "教育文体")
    features = vec.transform([block_text(spec, query)]).toarray()[0]
    got, _ = model.scores(query.title, query.body)
    for number, member in enumerate(fitted.members):
        block = member.blocks[0]
        np.testing.assert_allclose(got[number], features @ block.weights + block.bias, rtol=1e-4, atol=1e-5)
    assert model.predict(query.title, query.body)[0].label == "教育文体"
    assert len(augment(examples)) == 18


def test_probabilities_average_the_calibrated_members(tmp_path: Path) -> None:
    examples = [Example(t, b, label) for t, b, label in MADE_UP]
    labels = sorted({ex.label for ex in examples})
    members = [
        train_mod.MemberSpec(name="a", blocks=(train_mod.BlockSpec(min_df=1),)),
        train_mod.MemberSpec(name="b", kind="nbsvm", blocks=(train_mod.BlockSpec(min_df=1, high=3),)),
    ]
    train_mod.export(
        train_mod.fit_members(examples, labels, members),
        tmp_path,
        labels=labels,
        calibration={"members": [0.5, 2.0], "final": 0.8},
        extra={},
    )
    model = RoutingModel.load(tmp_path)
    scores, _ = model.scores("老师补课", "")
    first = np.exp(scores[0] / 0.5) / np.exp(scores[0] / 0.5).sum()
    second = np.exp(scores[1] / 2.0) / np.exp(scores[1] / 2.0).sum()
    mixed = np.exp(np.log((first + second) / 2) / 0.8)
    np.testing.assert_allclose(model.probabilities(scores), mixed / mixed.sum(), rtol=1e-5)
    out = model.predict("老师补课", "", top_k=3)
    assert [p.confidence for p in out] == sorted((p.confidence for p in out), reverse=True)


def test_train_writes_a_loadable_model_with_metrics(tmp_path: Path) -> None:
    data = tmp_path / "tiny.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "label"])
        for i in range(12):
            for t, b, label in MADE_UP:
                mark = "甲乙丙丁戊己庚辛壬癸子丑"[i]
                writer.writerow([f"{i}-{t}", f"{t}{mark}", f"{b}{mark}{mark}", label])
    metrics = train_mod.train(
        data,
        tmp_path / "model",
        members=[
            train_mod.MemberSpec(blocks=(train_mod.BlockSpec(min_df=1),)),
            train_mod.MemberSpec(name="nb", kind="nbsvm", blocks=(train_mod.BlockSpec(min_df=1),)),
        ],
        log=lambda _: None,
    )
    model = RoutingModel.load(tmp_path / "model")
    assert model.version == metrics["model_version"]
    assert model.manifest["training"]["rows"] == 72
    assert "baseline" in model.metrics and "top1" in model.metrics


def test_cross_validation_folds_keep_groups_together() -> None:
    from operator_app.routing.tune import group_folds, summarise

    rows = [Example(t, b, label) for t, b, label in MADE_UP] * 2  # every group appears twice
    folds = group_folds(rows, 3)
    assert sorted(i for fold in folds for i in fold.tolist()) == list(range(len(rows)))
    for fold in folds:
        inside = {rows[i] for i in fold.tolist()}
        assert all(rows[i] not in inside for other in folds if other is not fold for i in other.tolist())
    y = np.array([0, 1, 2])
    scores = np.array([[[5.0, 0.0, 0.0]], [[0.0, 5.0, 0.0]], [[0.0, 0.0, 5.0]]])
    figures = summarise(scores, y, [1.0])
    assert figures["top1"] == 1.0 and figures["top3"] == 1.0 and figures["log_loss"] < 0.1

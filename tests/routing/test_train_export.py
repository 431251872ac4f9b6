"""Training export on a tiny made-up corpus: numpy prediction equals scikit-learn's scores."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from operator_app.routing.dataset import Example, augment
from operator_app.routing.model import RoutingModel

train_mod = pytest.importorskip("operator_app.routing.train", reason="training needs scikit-learn (dev extra)")

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
    fitted = train_mod.fit_model(examples, labels, [spec])
    train_mod.export(fitted, tmp_path, labels=labels, temperature=1.0, extra={})
    model = RoutingModel.load(tmp_path)

    _, terms, idf, weights, bias = fitted[0]
    vec = TfidfVectorizer(analyzer=lambda s: __import__("operator_app.routing.text", fromlist=["x"])
                          .char_ngrams(s, 1, 2), sublinear_tf=True, vocabulary=terms)
    vec.idf_ = idf
    query = Example("学校补课", "周末收费补课", "教育文体")
    expected = vec.transform([train_mod.block_text(spec, query)]).toarray()[0] @ weights + bias
    got, _ = model.scores(query.title, query.body)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert model.predict(query.title, query.body)[0].label == "教育文体"
    assert len(augment(examples)) == 18


def test_train_writes_a_loadable_model_with_metrics(tmp_path: Path) -> None:
    data = tmp_path / "tiny.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "label"])
        for i in range(12):
            for t, b, label in MADE_UP:
                mark = "甲乙丙丁戊己庚辛壬癸子丑"[i]
                writer.writerow([f"{i}-{t}", f"{t}{mark}", f"{b}{mark}{mark}", label])
    metrics = train_mod.train(data, tmp_path / "model", blocks=[train_mod.BlockSpec(min_df=1)], log=lambda _: None)
    model = RoutingModel.load(tmp_path / "model")
    assert model.version == metrics["model_version"]
    assert model.manifest["training"]["rows"] == 72
    assert "baseline" in model.metrics and "top1" in model.metrics

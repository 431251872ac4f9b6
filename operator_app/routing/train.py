"""Development-time training and held-out evaluation (needs scikit-learn, a dev extra).

`train(data_csv, out_dir)` splits the data by normalised title/body groups (near-duplicates and the
title and body halves of one message linked, see `neardup`), fits the ensemble on the
training part (temperatures calibrated on a validation fold inside it), measures it and a char
TF-IDF + LinearSVC baseline on the held-out part, then refits on all rows and exports the model.

The default recipe (a LinearSVC and an NB-SVM over one shared char 1–2-gram vocabulary, their
calibrated probabilities averaged) was chosen by 5-fold group cross-validation inside the training
part only; the held-out part is measured once, never tuned on.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .artifacts import file_sha256
from .dataset import Example, group_split, read_examples
from .evaluate import metrics, predict_all
from .export import BlockSpec, Fitted, MemberSpec, export, fit_and_load, fit_members
from .linear import fit_temperature
from .model import RoutingModel
from .text import join_fields

DEFAULT_MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec(name="svm", kind="svm", c=1.0, blocks=(BlockSpec(name="all", high=2, min_df=2),)),
    MemberSpec(name="nbsvm", kind="nbsvm", c=1.0, blocks=(BlockSpec(name="all", high=2, min_df=2),)),
)


def train(
    data_csv: str | Path,
    out_dir: str | Path,
    *,
    members: Sequence[MemberSpec] = DEFAULT_MEMBERS,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Evaluate on the group split, then train on every row and export to out_dir; returns the metrics."""
    started = time.perf_counter()
    examples = read_examples(data_csv)
    labels = sorted({ex.label for ex in examples})
    train_idx, test_idx = group_split(examples)
    train_rows = [examples[i] for i in train_idx]
    test_rows = [examples[i] for i in test_idx]
    fit_idx, val_idx = group_split(train_rows, test_percent=15, salt="routing-validation")
    log(
        f"{len(examples)} rows: {len(train_rows)} train ({len(fit_idx)} fit + {len(val_idx)} validation), "
        f"{len(test_rows)} held out"
    )

    calibration = calibrate(
        [train_rows[i] for i in fit_idx], [train_rows[i] for i in val_idx], labels, members
    )
    log(f"temperatures {calibration} (fitted on the validation fold)")

    held_out_model = fit_and_load(train_rows, labels, members, calibration)
    result = metrics(test_rows, predict_all(held_out_model, test_rows), labels)
    result["baseline"] = baseline(train_rows, test_rows)
    result["margin_over_baseline"] = round(result["top1"] - result["baseline"]["top1"], 4)
    log(
        f"held-out top-1 {result['top1']:.4f}, top-3 {result['top3']:.4f}, "
        f"baseline top-1 {result['baseline']['top1']:.4f}"
    )

    out = Path(out_dir)
    fitted = fit_members(examples, labels, members)
    training = {
        "data_file": Path(data_csv).name,
        "data_sha256": file_sha256(Path(data_csv)),
        "rows": len(examples),
        "split": {
            "train": len(train_rows),
            "held_out": len(test_rows),
            "by": "normalised title/body groups, near-duplicates linked",
        },
        "members": [asdict(m) for m in members],
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest = export(
        fitted, out, labels=labels, calibration=calibration, extra={"training": training, "metrics": result}
    )
    result["model_version"] = manifest["model_version"]
    log(f"model {manifest['model_version'][:16]} written to {out}")
    return result


def calibrate(
    fit_rows: Sequence[Example],
    val_rows: Sequence[Example],
    labels: Sequence[str],
    members: Sequence[MemberSpec],
) -> dict[str, Any]:
    """Per-member softmax temperatures, then one final temperature of the averaged probabilities.

    All minimise the log-loss on the validation fold; 1.0 everywhere when there is no validation fold.
    """
    neutral: dict[str, Any] = {"members": [1.0] * len(members), "final": 1.0}
    if not val_rows or len({ex.label for ex in fit_rows}) < 2:
        return neutral
    fitted: Fitted = fit_members(fit_rows, labels, members)
    with tempfile.TemporaryDirectory() as tmp:
        export(fitted, Path(tmp), labels=labels, calibration=neutral, extra={})
        model = RoutingModel.load(tmp)
        scores = np.array([model.scores(ex.title, ex.body)[0] for ex in val_rows], dtype=np.float64)
    y = np.array([labels.index(ex.label) for ex in val_rows])
    temperatures = [fit_temperature(scores[:, m, :], y) for m in range(len(members))]
    weights = np.array([m.weight for m in members], dtype=np.float64)
    mixed = np.zeros((len(y), len(labels)))
    for m, t in enumerate(temperatures):
        logits = scores[:, m, :] / t
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        mixed += weights[m] * probs / probs.sum(axis=1, keepdims=True)
    mixed /= weights.sum()
    final = fit_temperature(np.log(np.maximum(mixed, 1e-300)), y) if len(members) > 1 else 1.0
    return {"members": [round(t, 6) for t in temperatures], "final": round(final, 6)}


def baseline(train_rows: Sequence[Example], test_rows: Sequence[Example]) -> dict[str, Any]:
    """The reference: sklearn char 1–2-gram TF-IDF over title+body and LinearSVC, no augmentation."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    def text(ex: Example) -> str:
        return join_fields(ex.title, ex.body)

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    svm = LinearSVC().fit(vec.fit_transform([text(ex) for ex in train_rows]), [ex.label for ex in train_rows])
    scores = svm.decision_function(vec.transform([text(ex) for ex in test_rows]))
    classes = list(svm.classes_)
    if scores.ndim == 1:
        scores = np.stack([-scores, scores], axis=1)
    truth = np.array([classes.index(ex.label) for ex in test_rows])
    order = np.argsort(-scores, axis=1)
    titles = np.array([bool(ex.title) and not ex.body for ex in test_rows])
    hit1 = order[:, 0] == truth
    return {
        "model": "char 1-2-gram TF-IDF (sublinear) + LinearSVC, title+body, same split",
        "top1": round(float(hit1.mean()), 4),
        "top3": round(float((order[:, :3] == truth[:, None]).any(axis=1).mean()), 4),
        "titles_only_top1": round(float(hit1[titles].mean()), 4) if titles.any() else None,
    }

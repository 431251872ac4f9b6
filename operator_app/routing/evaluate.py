"""Routing metrics (numpy only): top-k accuracy, accuracy at coverage, per-class precision/recall, confusion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dataset import Example
from .model import Prediction, RoutingModel


def predict_all(model: RoutingModel, examples: Sequence[Example], top_k: int = 3) -> list[list[Prediction]]:
    """Predictions for each example, in order."""
    return [model.predict(ex.title, ex.body, top_k=top_k) for ex in examples]


def metrics(
    examples: Sequence[Example],
    predictions: Sequence[Sequence[Prediction]],
    labels: Sequence[str],
    *,
    coverage: float = 0.8,
) -> dict[str, Any]:
    """All figures for one evaluation; a missing prediction counts as wrong with confidence 0."""
    truth = [ex.label for ex in examples]
    top1 = [p[0].label if p else "" for p in predictions]
    conf = np.array([p[0].confidence if p else 0.0 for p in predictions])
    hit1 = np.array([t == g for t, g in zip(truth, top1, strict=True)])
    hit3 = np.array([t in [q.label for q in p[:3]] for t, p in zip(truth, predictions, strict=True)])
    kinds = {
        "titles_only": np.array([bool(ex.title) and not ex.body for ex in examples]),
        "bodies_only": np.array([bool(ex.body) and not ex.title for ex in examples]),
        "title_and_body": np.array([bool(ex.title) and bool(ex.body) for ex in examples]),
    }
    n = len(truth)
    out: dict[str, Any] = {
        "n": n,
        "top1": _mean(hit1),
        "top3": _mean(hit3),
        f"accuracy_at_{int(coverage * 100)}pct_coverage": accuracy_at_coverage(hit1, conf, coverage),
        "no_suggestion": int(sum(1 for p in predictions if not p)),
        "mean_confidence": _mean(conf),
        "calibration_error": calibration_error(hit1, conf),
    }
    for name, mask in kinds.items():
        out[f"{name}_top1"] = _mean(hit1[mask]) if mask.any() else None
        out[f"{name}_n"] = int(mask.sum())
    out["per_class"] = per_class(truth, top1, labels)
    out["confusion"] = {"labels": list(labels), "matrix": confusion(truth, top1, labels)}
    return out


def calibration_error(hits: np.ndarray, confidence: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-1 confidence: the case-weighted mean |accuracy − confidence|
    over equal-width confidence bins (0 for a perfectly honest confidence)."""
    if len(hits) == 0:
        return 0.0
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(float(hits[mask].mean()) - float(confidence[mask].mean()))
    return round(error, 4)


def accuracy_at_coverage(hits: np.ndarray, confidence: np.ndarray, coverage: float) -> float:
    """Top-1 accuracy over the `coverage` share of cases the model is most confident about."""
    if len(hits) == 0:
        return 0.0
    keep = max(1, math.ceil(coverage * len(hits)))
    order = np.argsort(-confidence, kind="stable")[:keep]
    return _mean(hits[order])


def per_class(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Precision, recall and support of each label."""
    out: dict[str, dict[str, Any]] = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        n_pred = sum(1 for p in predicted if p == label)
        n_true = sum(1 for t in truth if t == label)
        out[label] = {
            "precision": round(tp / n_pred, 4) if n_pred else 0.0,
            "recall": round(tp / n_true, 4) if n_true else 0.0,
            "support": n_true,
        }
    return out


def confusion(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows = true label, columns = predicted label (a last column counts 'no suggestion' / unknown)."""
    pos = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * (len(labels) + 1) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        if t in pos:
            matrix[pos[t]][pos.get(p, len(labels))] += 1
    return matrix


def format_table(result: dict[str, Any]) -> str:
    """A readable plain-text report of `metrics` output."""
    lines = [f"cases: {result['n']}   top-1: {result['top1']:.4f}   top-3: {result['top3']:.4f}"]
    for key, value in result.items():
        if (
            key.startswith("accuracy_at_")
            or key in ("mean_confidence", "calibration_error")
            or (key.endswith("_top1") and value is not None)
        ):
            lines.append(f"{key.replace('_', ' ')}: {value:.4f}")
    lines.append(f"no suggestion: {result['no_suggestion']}")
    lines.append("")
    lines.append(f"{'category':<16}{'precision':>10}{'recall':>10}{'support':>9}")
    for label, row in result["per_class"].items():
        lines.append(f"{label:<16}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['support']:>9}")
    labels = result["confusion"]["labels"]
    lines.append("")
    lines.append("confusion (rows: true, columns: predicted; last column: none)")
    lines.append(" " * 4 + "".join(f"{i:>6}" for i in range(len(labels))) + f"{'none':>6}")
    for i, row in enumerate(result["confusion"]["matrix"]):
        lines.append(f"{i:>3} " + "".join(f"{v:>6}" for v in row) + f"   {labels[i]}")
    return "\n".join(lines)


def _mean(values: np.ndarray) -> float:
    return round(float(values.mean()), 4) if len(values) else 0.0

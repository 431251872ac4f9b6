"""Choosing a recipe without the held-out part: k-fold cross-validation inside the training part.

Folds are drawn by hashing the same title/body groups as the held-out split, so near-duplicate
titles never straddle a fold either. Each fold goes through the real pipeline (fit, export,
numpy prediction, temperatures fitted on the out-of-fold scores of the members), so the figures
match what `train` would measure. Needs scikit-learn (development only).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .dataset import Example, group_ids, group_split, read_examples
from .export import MemberSpec, fit_and_load
from .linear import fit_temperature

NEUTRAL = {"final": 1.0}


def group_folds(rows: Sequence[Example], k: int, *, salt: str = "routing-cv") -> list[np.ndarray]:
    """Row indices of each of k folds; rows sharing a normalised title or body share a fold."""
    bucket = np.array(
        [int(hashlib.sha256(f"{salt}:{g}".encode()).hexdigest()[:8], 16) % k for g in group_ids(list(rows))]
    )
    return [np.flatnonzero(bucket == fold) for fold in range(k)]


def out_of_fold_scores(
    rows: Sequence[Example], labels: Sequence[str], members: Sequence[MemberSpec], k: int = 5
) -> np.ndarray:
    """Raw per-member scores (rows, members, labels) of every row, from a model that never saw its fold."""
    scores = np.zeros((len(rows), len(members), len(labels)))
    calibration = {"members": [1.0] * len(members), **NEUTRAL}
    for fold in group_folds(rows, k):
        held = set(fold.tolist())
        fit_rows = [ex for i, ex in enumerate(rows) if i not in held]
        model = fit_and_load(fit_rows, labels, members, calibration)
        for i in fold.tolist():
            scores[i] = model.scores(rows[i].title, rows[i].body)[0]
    return scores


def summarise(scores: np.ndarray, y: np.ndarray, weights: Sequence[float]) -> dict[str, float]:
    """Top-1, top-3, log-loss and accuracy at 80% coverage of the calibrated, averaged members."""
    mixed = np.zeros((len(y), scores.shape[2]))
    for m in range(scores.shape[1]):
        logits = scores[:, m, :] / fit_temperature(scores[:, m, :], y)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        mixed += weights[m] * probs / probs.sum(axis=1, keepdims=True)
    mixed /= float(sum(weights))
    order = np.argsort(-mixed, axis=1)
    hit1 = order[:, 0] == y
    keep = np.argsort(-mixed.max(axis=1), kind="stable")[: int(np.ceil(0.8 * len(y)))]
    return {
        "top1": round(float(hit1.mean()), 4),
        "top3": round(float((order[:, :3] == y[:, None]).any(axis=1).mean()), 4),
        "log_loss": round(float(-np.log(np.maximum(mixed[np.arange(len(y)), y], 1e-12)).mean()), 4),
        "accuracy_at_80pct_coverage": round(float(hit1[keep].mean()), 4),
    }


def compare(
    data_csv: str | Path,
    recipes: dict[str, Sequence[MemberSpec]],
    *,
    k: int = 5,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Cross-validated figures of each recipe on the training part of the group split (never the held-out)."""
    examples = read_examples(data_csv)
    labels = sorted({ex.label for ex in examples})
    train_idx, _ = group_split(examples)
    rows = [examples[i] for i in train_idx]
    y = np.array([labels.index(ex.label) for ex in rows])
    out: dict[str, Any] = {}
    for name, members in recipes.items():
        out[name] = summarise(out_of_fold_scores(rows, labels, members, k), y, [m.weight for m in members])
        log(f"{name}: {out[name]}")
    return out

"""Development-time linear learners (scikit-learn) returning plain (V, C) weights and (C,) biases.

Both learners are one-vs-rest, so every label gets a score that is linear in the TF-IDF features and
the numpy predictor needs nothing but a matrix product:
- `fit_svm`: LinearSVC on the features.
- `fit_nbsvm`: NB-SVM (Wang & Manning 2012): per label, the features scaled by the log-count ratio
  of that label against the rest, then a binary LinearSVC; the scaling is folded into the weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def fit_svm(matrix: Any, y: np.ndarray, n_labels: int, *, c: float) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest LinearSVC weights (V, n_labels) and biases; unseen labels are never suggested."""
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=c, random_state=0).fit(matrix, y)
    return full_ovr(svm.coef_, svm.intercept_, [int(k) for k in svm.classes_], n_labels)


def fit_nbsvm(
    matrix: Any, y: np.ndarray, n_labels: int, *, c: float, alpha: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """NB-SVM weights (V, n_labels) and biases: log-count-ratio scaled features, one binary SVM per label."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    present = matrix.copy()
    present.data[:] = 1.0
    weights = np.zeros((matrix.shape[1], n_labels), dtype=np.float32)
    bias = np.full(n_labels, -10.0, dtype=np.float32)  # a label never seen is never suggested
    for label in range(n_labels):
        inside = y == label
        if not inside.any() or inside.all():
            continue
        p = alpha + np.asarray(present[inside].sum(axis=0)).ravel()
        q = alpha + np.asarray(present[~inside].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=c, random_state=0).fit(matrix @ sp.diags(ratio), inside.astype(np.int64))
        weights[:, label] = ratio * svm.coef_.ravel()
        bias[label] = svm.intercept_[0]
    return weights, bias


def full_ovr(
    coef: np.ndarray, intercept: np.ndarray, classes: list[int], n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """(V, n_labels) weights and biases, also when training saw only some labels (binary or fewer)."""
    weights = np.zeros((coef.shape[1], n_labels), dtype=np.float32)
    bias = np.full(n_labels, -10.0, dtype=np.float32)  # a label never seen is never suggested
    if len(classes) == 2:
        weights[:, classes[1]], bias[classes[1]] = coef[0], intercept[0]
        weights[:, classes[0]], bias[classes[0]] = -coef[0], -intercept[0]
    else:
        for row, cls in enumerate(classes):
            weights[:, cls], bias[cls] = coef[row], intercept[row]
    return weights, bias


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Grid search (log-spaced) for the softmax temperature with the lowest negative log-likelihood."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.02), np.log(5.0), 200)):
        logits = scores / t
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        nll = float(-log_probs[np.arange(len(y)), y].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t

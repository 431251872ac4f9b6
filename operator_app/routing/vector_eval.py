"""Do sentence vectors pay in the top-level routing model? Development-time evaluation (scikit-learn).

On the same group split as `train` (and the same validation fold inside its training part), the shipped recipe
is measured with and without the case vectors (semantic/, one per row, made by the caller), on the held-out rows
that have one. The ensemble needs no vector and always learns from the whole training part; the vector models
learn from its rows that have one (all of them once the cache is full):
- "ensemble": the shipped recipe (char n-gram SVM + NB-SVM, calibrated), as the desk runs it;
- "e5 logistic": a multinomial logistic regression on the vectors alone (C chosen on the validation fold);
- "ensemble + e5": their log-linear blend, log p = (1 - w) log p_ensemble + w log p_e5, w chosen on the
  validation fold (top-1, then log-loss), then both refitted on the whole training part;
- and the issue's reference pair: char 1-2-gram TF-IDF + LinearSVC, without and with the vector concatenated
  to the TF-IDF row (both on the training rows with a vector).
Every variant is held to the nonsense gate (gate.py): a row that says nothing gets no suggestion in all of them,
as at the desk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dataset import Example, group_split
from .evaluate import metrics
from .export import MemberSpec, fit_and_load
from .gate import says_something
from .leaves import LeafIndex
from .model import Prediction, RoutingModel
from .text import join_fields
from .train import DEFAULT_MEMBERS, calibrate

WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 0.81, 0.05))
LOGISTIC_C = (1.0, 10.0, 100.0)
SHOWN = ("n", "top1", "top3", "accuracy_at_80pct_coverage", "no_suggestion", "calibration_error", "titles_only_top1")


def compare_with_vectors(
    examples: Sequence[Example],
    vectors: np.ndarray,
    have: np.ndarray,
    *,
    members: Sequence[MemberSpec] = DEFAULT_MEMBERS,
    leaves: LeafIndex | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Held-out figures of every variant on the rows that have a vector; see the module's docstring."""
    started = time.perf_counter()
    labels = sorted({ex.label for ex in examples})
    train_all, test_all = group_split(list(examples))
    test_idx = [i for i in test_all if have[i]]
    train_rows, test_rows = [examples[i] for i in train_all], [examples[i] for i in test_idx]
    fit_local, val_local = group_split(train_rows, test_percent=15, salt="routing-validation")
    fit_rows, val_rows = [train_rows[i] for i in fit_local], [train_rows[i] for i in val_local]
    y_train = np.array([labels.index(ex.label) for ex in train_rows])
    with_vec = np.array([bool(have[i]) for i in train_all])
    fit_vec = [i for i in fit_local if with_vec[i]]
    val_vec = [i for i in val_local if with_vec[i]]
    train_vec = np.flatnonzero(with_vec)
    v_test = vectors[test_idx]
    log(f"{len(train_rows)} training rows for the ensemble ({len(fit_rows)} fit + {len(val_rows)} validation), "
        f"{len(train_vec)} of them with vectors for the e5 model; {len(test_rows)} held out, all with vectors")

    calibration = calibrate(fit_rows, val_rows, labels, members)
    fit_model = fit_and_load(fit_rows, labels, members, calibration)
    p_ens_val = _probabilities(fit_model, [train_rows[i] for i in val_vec])
    v_of = vectors[np.array(train_all)]
    c, w = _choose(v_of[fit_vec], y_train[fit_vec], v_of[val_vec], y_train[val_vec], p_ens_val, len(labels))
    log(f"chosen on the validation fold: logistic C={c}, blend weight w={w} "
        f"({time.perf_counter() - started:.0f} s)")

    model = fit_and_load(train_rows, labels, members, calibration)
    p_ens = _probabilities(model, test_rows)
    p_vec = _logistic(v_of[train_vec], y_train[train_vec], v_test, c, len(labels))
    said = np.array([says_something(f"{ex.title} {ex.body}") for ex in test_rows])
    out: dict[str, Any] = {
        "rows": {"ensemble_train": len(train_rows), "vector_train": len(train_vec), "held_out": len(test_rows)},
        "chosen_on_validation": {"logistic_C": c, "blend_weight": w},
        "ensemble (shipped recipe, no vectors)": _figures(test_rows, p_ens, said, labels),
        "e5 logistic alone": _figures(test_rows, p_vec, said, labels),
        f"ensemble + e5 (log-linear, w={w})": _figures(test_rows, blend(p_ens, p_vec, w), said, labels),
    }
    svm_rows = [train_rows[i] for i in train_vec]
    svm_plain, svm_vec = _svm_pair(svm_rows, test_rows, v_of[train_vec], v_test, labels)
    out["char TF-IDF + LinearSVC (issue's reference)"] = _figures(test_rows, svm_plain, said, labels, scores=True)
    out["char TF-IDF + e5 concatenated, LinearSVC"] = _figures(test_rows, svm_vec, said, labels, scores=True)
    if leaves is not None:
        out["leaf prototypes alone (top level of the nearest leaf)"] = _leaf_figures(leaves, test_rows, v_test,
                                                                                    labels)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def _leaf_figures(leaves: LeafIndex, rows: Sequence[Example], v_test: np.ndarray, labels: Sequence[str]
                  ) -> dict[str, Any]:
    """How well the leaves' prototypes alone know the top level (the dev data has no leaf labels): the nearest
    leaf among those of the model's labels, and whether the true label is among the top levels of the 3 nearest."""
    top = {label: [i for i, t in enumerate(leaves.tops) if t == label] for label in labels}
    hit1 = hit3 = 0
    for ex, v in zip(rows, v_test, strict=True):
        matches = leaves.rank(v, set(labels), k=3)
        hit1 += bool(matches) and matches[0].path.split("/", 1)[0] == ex.label
        hit3 += any(m.path.split("/", 1)[0] == ex.label for m in matches)
    return {"n": len(rows), "top1": round(hit1 / max(len(rows), 1), 4), "top3_leaves": round(hit3 / max(len(rows), 1), 4),
            "leaves_per_label": {label: len(ids) for label, ids in top.items()}}


def blend(p_ens: np.ndarray, p_vec: np.ndarray, w: float) -> np.ndarray:
    """Log-linear blend of two probability matrices (rows sum to 1)."""
    logits = (1 - w) * np.log(np.maximum(p_ens, 1e-12)) + w * np.log(np.maximum(p_vec, 1e-12))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _probabilities(model: RoutingModel, rows: Sequence[Example]) -> np.ndarray:
    return np.array([model.probabilities(model.scores(ex.title, ex.body)[0]) for ex in rows])


def _logistic(v_fit: np.ndarray, y_fit: np.ndarray, v_out: np.ndarray, c: float, n_labels: int) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, max_iter=2000).fit(v_fit, y_fit)
    probs = np.full((len(v_out), n_labels), 1e-12)
    probs[:, lr.classes_] = lr.predict_proba(v_out)
    return probs / probs.sum(axis=1, keepdims=True)


def _choose(v_fit: np.ndarray, y_fit: np.ndarray, v_val: np.ndarray, y_val: np.ndarray, p_ens_val: np.ndarray,
            n_labels: int) -> tuple[float, float]:
    """The logistic C and the blend weight with the best validation top-1 (log-loss breaks ties)."""
    best: tuple[float, float, float, float] | None = None  # (-top1, logloss, c, w)
    for c in LOGISTIC_C:
        p_vec = _logistic(v_fit, y_fit, v_val, c, n_labels)
        for w in WEIGHTS:
            p = blend(p_ens_val, p_vec, w)
            key = (-float((p.argmax(axis=1) == y_val).mean()),
                   float(-np.log(np.maximum(p[np.arange(len(y_val)), y_val], 1e-12)).mean()), c, w)
            best = key if best is None or key[:2] < best[:2] else best
    assert best is not None
    return best[2], best[3]


def _svm_pair(train_rows: Sequence[Example], test_rows: Sequence[Example], v_train: np.ndarray, v_test: np.ndarray,
              labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    def text(ex: Example) -> str:
        return join_fields(ex.title, ex.body)

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    x_train, x_test = vec.fit_transform([text(ex) for ex in train_rows]), vec.transform([text(ex) for ex in test_rows])
    y = [labels.index(ex.label) for ex in train_rows]
    out = []
    for a, b in ((x_train, x_test), (sp.hstack([x_train, v_train]).tocsr(), sp.hstack([x_test, v_test]).tocsr())):
        svm = LinearSVC(random_state=0).fit(a, y)
        scores = np.full((b.shape[0], len(labels)), -1e9)
        scores[:, svm.classes_] = svm.decision_function(b)
        out.append(scores)
    return out[0], out[1]


def _figures(rows: Sequence[Example], probs: np.ndarray, said: np.ndarray, labels: Sequence[str], *,
             scores: bool = False) -> dict[str, Any]:
    """evaluate.metrics' headline figures; `scores`: SVM margins, confidence = the top margin (order only)."""
    predictions: list[list[Prediction]] = []
    for row, ok in zip(probs, said, strict=True):
        if not ok:
            predictions.append([])
            continue
        order = np.argsort(-row, kind="stable")[:3]
        conf = 1 / (1 + np.exp(-row[order])) if scores else row[order]
        predictions.append([Prediction(labels[c], float(p)) for c, p in zip(order, conf, strict=True)])
    result = metrics(rows, predictions, labels)
    shown = {k: result[k] for k in SHOWN if k in result}
    if scores:
        shown.pop("calibration_error", None)  # margins are not probabilities
    return shown

"""Development-time training and held-out evaluation (needs scikit-learn, a dev extra).

`train(data_csv, out_dir)` splits the data by normalised title/body groups, fits the model on the
training part (temperature calibrated on a validation fold inside it), measures it and a char
TF-IDF + LinearSVC baseline on the held-out part, then refits on all rows and exports the model.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .artifacts import MODEL_CONFIG, file_sha256, save_array, save_json, write_manifest
from .dataset import Example, augment, group_split, read_examples
from .evaluate import metrics, predict_all
from .model import RoutingModel
from .text import char_ngrams, join_fields, normalise


@dataclass(frozen=True)
class BlockSpec:
    """One feature block: which field, which n-gram lengths, pruning and SVM regularisation."""

    name: str = "all"
    field: str = "all"
    low: int = 1
    high: int = 2
    min_df: int = 3
    c: float = 1.0


DEFAULT_BLOCKS: tuple[BlockSpec, ...] = (BlockSpec(),)


def train(data_csv: str | Path, out_dir: str | Path, *, blocks: Sequence[BlockSpec] = DEFAULT_BLOCKS,
          log: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate on the group split, then train on every row and export to out_dir; returns the metrics."""
    started = time.perf_counter()
    examples = read_examples(data_csv)
    labels = sorted({ex.label for ex in examples})
    train_idx, test_idx = group_split(examples)
    train_rows = [examples[i] for i in train_idx]
    test_rows = [examples[i] for i in test_idx]
    fit_idx, val_idx = group_split(train_rows, test_percent=15, salt="routing-validation")
    log(f"{len(examples)} rows: {len(train_rows)} train ({len(fit_idx)} fit + {len(val_idx)} validation), "
        f"{len(test_rows)} held out")

    temperature = calibrate(
        [train_rows[i] for i in fit_idx], [train_rows[i] for i in val_idx], labels, blocks
    )
    log(f"temperature {temperature:.3f} (fitted on the validation fold)")

    with tempfile.TemporaryDirectory() as tmp:
        export(fit_model(train_rows, labels, blocks), Path(tmp), labels=labels, temperature=temperature,
               extra={})
        held_out_model = RoutingModel.load(tmp)
        result = metrics(test_rows, predict_all(held_out_model, test_rows), labels)
    result["baseline"] = baseline(train_rows, test_rows)
    result["margin_over_baseline"] = round(result["top1"] - result["baseline"]["top1"], 4)
    log(f"held-out top-1 {result['top1']:.4f}, top-3 {result['top3']:.4f}, "
        f"baseline top-1 {result['baseline']['top1']:.4f}")

    out = Path(out_dir)
    fitted = fit_model(examples, labels, blocks)
    training = {
        "data_file": Path(data_csv).name,
        "data_sha256": file_sha256(Path(data_csv)),
        "rows": len(examples),
        "split": {"train": len(train_rows), "held_out": len(test_rows), "by": "normalised title/body groups"},
        "blocks": [asdict(b) for b in blocks],
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest = export(fitted, out, labels=labels, temperature=temperature,
                      extra={"training": training, "metrics": result})
    result["model_version"] = manifest["model_version"]
    log(f"model {manifest['model_version'][:16]} written to {out}")
    return result


FittedBlock = tuple[BlockSpec, list[str], np.ndarray, np.ndarray, np.ndarray]


def block_text(spec: BlockSpec, ex: Example) -> str:
    """The normalised text a block reads from one example (same rule as the predictor)."""
    title, body = normalise(ex.title), normalise(ex.body)
    return title if spec.field == "title" else body if spec.field == "body" else join_fields(title, body)


def fit_model(examples: Sequence[Example], labels: Sequence[str],
              blocks: Sequence[BlockSpec]) -> list[FittedBlock]:
    """Fit every block (one-vs-rest LinearSVC over sublinear TF-IDF) on the augmented examples."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    rows = augment(list(examples))
    y = np.array([labels.index(ex.label) for ex in rows])
    fitted: list[FittedBlock] = []
    for spec in blocks:
        docs = [block_text(spec, ex) for ex in rows]
        keep = np.array([bool(d) for d in docs])
        vec = TfidfVectorizer(analyzer=functools.partial(char_ngrams, low=spec.low, high=spec.high),
                              sublinear_tf=True, min_df=spec.min_df, dtype=np.float32)
        matrix = vec.fit_transform([d for d, k in zip(docs, keep, strict=True) if k])
        svm = LinearSVC(C=spec.c).fit(matrix, y[keep])
        terms = [""] * len(vec.vocabulary_)
        for term, col in vec.vocabulary_.items():
            terms[col] = term
        weights, bias = full_ovr(svm.coef_, svm.intercept_, list(svm.classes_), len(labels))
        fitted.append((spec, terms, vec.idf_.astype(np.float32), weights, bias))
    return fitted


def full_ovr(coef: np.ndarray, intercept: np.ndarray, classes: list[int],
             n_labels: int) -> tuple[np.ndarray, np.ndarray]:
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


def export(fitted: list[FittedBlock], out: Path, *, labels: Sequence[str], temperature: float,
           extra: dict[str, Any]) -> dict[str, Any]:
    """Write vocabularies, float32 arrays, model.json and the manifest into out (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    specs = []
    for spec, terms, idf, weights, bias in fitted:
        entry: dict[str, Any] = {
            "name": spec.name, "field": spec.field, "low": spec.low, "high": spec.high, "scale": 1.0,
            "vocab": save_json(out, f"vocab_{spec.name}.json", terms),
            "idf": save_array(out, f"idf_{spec.name}", idf),
            "weights": save_array(out, f"weights_{spec.name}", weights),
            "bias": save_array(out, f"bias_{spec.name}", bias),
        }
        files += [str(entry[key]) for key in ("vocab", "idf", "weights", "bias")]
        specs.append(entry)
    config = {"labels": list(labels), "temperature": round(temperature, 6), "blocks": specs}
    files.append(save_json(out, MODEL_CONFIG, config))
    return write_manifest(out, files=files, extra=extra)


def calibrate(fit_rows: Sequence[Example], val_rows: Sequence[Example], labels: Sequence[str],
              blocks: Sequence[BlockSpec]) -> float:
    """The softmax temperature minimising log-loss on the validation fold (1.0 when there is none)."""
    if not val_rows or len({ex.label for ex in fit_rows}) < 2:
        return 1.0
    with tempfile.TemporaryDirectory() as tmp:
        export(fit_model(fit_rows, labels, blocks), Path(tmp), labels=labels, temperature=1.0, extra={})
        model = RoutingModel.load(tmp)
        scores = np.array([model.scores(ex.title, ex.body)[0] for ex in val_rows], dtype=np.float64)
    y = np.array([labels.index(ex.label) for ex in val_rows])
    return fit_temperature(scores, y)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Grid search (log-spaced) for the temperature with the lowest negative log-likelihood."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.02), np.log(5.0), 200)):
        logits = scores / t
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        nll = float(-log_probs[np.arange(len(y)), y].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


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

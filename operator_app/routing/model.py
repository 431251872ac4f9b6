"""The shipped routing model: load a verified model directory and predict categories with numpy alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .artifacts import MODEL_CONFIG, load_array, load_json, read_verified
from .errors import RoutingModelError
from .text import char_ngrams, has_cjk, has_signal, join_fields, normalise

#: Fewer known n-grams than this in the input → no suggestion at all.
MIN_KNOWN_FEATURES = 2
#: How many driving terms each prediction carries.
TERMS_PER_PREDICTION = 5


class Prediction(tuple[str, float]):
    """A (label, confidence) pair that also carries the n-grams that drove it (`terms`)."""

    terms: tuple[str, ...]

    def __new__(cls, label: str, confidence: float, terms: tuple[str, ...] = ()) -> Prediction:
        self = super().__new__(cls, (label, confidence))
        self.terms = terms
        return self

    @property
    def label(self) -> str:
        return self[0]

    @property
    def confidence(self) -> float:
        return self[1]


@dataclass(frozen=True)
class FeatureBlock:
    """One linear model over TF-IDF character n-grams of one field ("all", "title" or "body")."""

    name: str
    field: str
    low: int
    high: int
    scale: float
    index: dict[str, int]
    terms: list[str]
    idf: np.ndarray  # (V,)
    weights: np.ndarray  # (V, C)
    bias: np.ndarray  # (C,)

    def text_of(self, title: str, body: str) -> str:
        if self.field == "title":
            return title
        if self.field == "body":
            return body
        return join_fields(title, body)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Known n-gram indices and their L2-normalised sublinear TF-IDF values."""
        lookup = self.index.get
        known = [j for j in map(lookup, char_ngrams(text, self.low, self.high)) if j is not None]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx, counts = np.unique(np.array(known, dtype=np.int64), return_counts=True)
        values = (1.0 + np.log(counts)).astype(np.float32) * self.idf[idx]
        norm = float(np.linalg.norm(values))
        return idx, values / norm if norm > 0 else values


class RoutingModel:
    """A linear ensemble over character n-gram blocks with temperature-scaled softmax confidence."""

    def __init__(self, *, manifest: dict[str, Any], labels: list[str], temperature: float,
                 blocks: list[FeatureBlock]) -> None:
        self.manifest = manifest
        self.labels = tuple(labels)
        self.temperature = temperature
        self.blocks = blocks

    @property
    def version(self) -> str:
        """The model's content hash (recorded with every suggestion)."""
        return str(self.manifest["model_version"])

    @property
    def metrics(self) -> dict[str, Any]:
        """Held-out metrics recorded at training time."""
        return dict(self.manifest.get("metrics", {}))

    @classmethod
    def load(cls, directory: str | Path) -> RoutingModel:
        """Load a model directory after checking every file against the manifest's content hash."""
        directory = Path(directory)
        manifest, blobs = read_verified(directory)
        config = load_json(blobs, MODEL_CONFIG)
        try:
            labels = [str(x) for x in config["labels"]]
            temperature = float(config["temperature"])
            blocks = [_load_block(spec, blobs, len(labels)) for spec in config["blocks"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise RoutingModelError(f"The routing model in {directory} has a malformed {MODEL_CONFIG}: {exc}") from exc
        if not labels or not blocks or temperature <= 0:
            raise RoutingModelError(f"The routing model in {directory} has no labels or no feature blocks.")
        return cls(manifest=manifest, labels=labels, temperature=temperature, blocks=blocks)

    def scores(self, title: str, body: str) -> tuple[np.ndarray, list[tuple[FeatureBlock, np.ndarray, np.ndarray]]]:
        """Raw ensemble scores per label and the features each block saw (for explanations)."""
        title_n, body_n = normalise(title or ""), normalise(body or "")
        total = np.zeros(len(self.labels), dtype=np.float32)
        seen = []
        for block in self.blocks:
            text = block.text_of(title_n, body_n)
            if not text:
                continue
            idx, values = block.features(text)
            total += block.scale * (values @ block.weights[idx] + block.bias)
            seen.append((block, idx, values))
        return total, seen

    def predict(self, title: str, body: str, top_k: int = 3) -> list[Prediction]:
        """Top-k (label, confidence) with driving terms; [] when the text gives nothing to go on."""
        title, body = _as_text(title), _as_text(body)
        if top_k <= 0 or not has_signal(title + body) or not has_cjk(title + body):
            return []
        scores, seen = self.scores(title, body)
        if sum(len(idx) for _, idx, _ in seen) < MIN_KNOWN_FEATURES:
            return []
        logits = scores.astype(np.float64) / self.temperature
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        order = np.argsort(-probs)[:top_k]
        return [Prediction(self.labels[c], float(probs[c]), self._terms(seen, int(c))) for c in order]

    def _terms(self, seen: list[tuple[FeatureBlock, np.ndarray, np.ndarray]], label: int) -> tuple[str, ...]:
        """The input n-grams pushing hardest towards `label` relative to the average label."""
        weight: dict[str, float] = {}
        for block, idx, values in seen:
            rows = block.weights[idx]
            push = block.scale * values * (rows[:, label] - rows.mean(axis=1))
            top = np.argsort(-push)[: TERMS_PER_PREDICTION * 6]
            for j in top.tolist():
                term = block.terms[int(idx[j])]
                weight[term] = weight.get(term, 0.0) + float(push[j])
        picked: list[str] = []
        for term, amount in sorted(weight.items(), key=lambda kv: -kv[1]):
            if amount <= 0 or len(picked) >= TERMS_PER_PREDICTION:
                break
            if not has_cjk(term) or any(term in p or p in term for p in picked):
                continue
            picked.append(term)
        return tuple(picked)


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _load_block(spec: dict[str, Any], blobs: dict[str, bytes], n_labels: int) -> FeatureBlock:
    terms = [str(t) for t in load_json(blobs, spec["vocab"])]
    idf = load_array(blobs, spec["idf"])
    weights = load_array(blobs, spec["weights"])
    bias = load_array(blobs, spec["bias"])
    if idf.shape != (len(terms),) or weights.shape != (len(terms), n_labels) or bias.shape != (n_labels,):
        raise RoutingModelError(f"The routing model block {spec.get('name')} has inconsistent array shapes.")
    return FeatureBlock(
        name=str(spec["name"]), field=str(spec["field"]), low=int(spec["low"]), high=int(spec["high"]),
        scale=float(spec["scale"]), index={t: i for i, t in enumerate(terms)}, terms=terms,
        idf=idf, weights=weights, bias=bias,
    )

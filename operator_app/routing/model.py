"""The shipped routing model: load a verified model directory and predict categories with numpy alone.

A model is an ensemble of linear members over TF-IDF character n-gram blocks. Each member turns its
summed block scores into probabilities with its own softmax temperature; the members' probabilities
are averaged (weighted) and sharpened or softened by one last temperature, all fitted on a validation
fold at training time so the confidence shown to the operator is calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .artifacts import MODEL_CONFIG, load_array, load_json, read_verified
from .errors import RoutingModelError
from .gate import says_something
from .text import char_ngrams, has_cjk, join_fields, normalise

#: Fewer known n-grams than this in the input → no suggestion at all.
MIN_KNOWN_FEATURES = 2
#: How many driving terms each prediction carries.
TERMS_PER_PREDICTION = 5
#: Particles, pronouns and 一: a term holding one (是, 我们, 没有, 收了, 一下) drives the model but tells the operator
#: nothing, so it is not shown as a reason; nor is a lone character too vague to say anything (中, 人, 小).
PARTICLES = frozenset("的了是在有不一我你他她它们这那个也就都要把被从给而但很还没么什啊吗呢吧和与及或")
VAGUE_SINGLES = frozenset("二三中人出小大上下说对到为以会等来去多少")


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
class Vocabulary:
    """One n-gram vocabulary with its idf, shared by every block that names the same file."""

    key: str
    low: int
    high: int
    index: dict[str, int]
    terms: list[str]
    idf: np.ndarray  # (V,)

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


@dataclass(frozen=True)
class FeatureBlock:
    """One member's linear weights over one vocabulary of one field ("all", "title" or "body")."""

    name: str
    member: int
    field: str
    scale: float
    vocab: Vocabulary
    weights: np.ndarray  # (V, C)
    bias: np.ndarray  # (C,)

    @property
    def terms(self) -> list[str]:
        return self.vocab.terms

    def text_of(self, title: str, body: str) -> str:
        if self.field == "title":
            return title
        if self.field == "body":
            return body
        return join_fields(title, body)


@dataclass(frozen=True)
class Member:
    """One linear model of the ensemble: its softmax temperature and its weight in the average."""

    temperature: float
    weight: float


Seen = list[tuple[FeatureBlock, np.ndarray, np.ndarray]]


class RoutingModel:
    """A calibrated ensemble of linear models over character n-gram blocks."""

    def __init__(
        self,
        *,
        manifest: dict[str, Any],
        labels: list[str],
        members: list[Member],
        blocks: list[FeatureBlock],
        final_temperature: float = 1.0,
    ) -> None:
        self.manifest = manifest
        self.labels = tuple(labels)
        self.members = members
        self.blocks = blocks
        self.final_temperature = final_temperature

    @property
    def version(self) -> str:
        """The model's content hash (recorded with every suggestion)."""
        return str(self.manifest["model_version"])

    @property
    def metrics(self) -> dict[str, Any]:
        """Held-out metrics recorded at training time."""
        return dict(self.manifest.get("metrics", {}))

    @property
    def vocabulary_size(self) -> int:
        """Distinct n-grams over all (shared) vocabularies."""
        return sum(len(v.terms) for v in {b.vocab.key: b.vocab for b in self.blocks}.values())

    @classmethod
    def load(cls, directory: str | Path) -> RoutingModel:
        """Load a model directory after checking every file against the manifest's content hash."""
        directory = Path(directory)
        manifest, blobs = read_verified(directory)
        config = load_json(blobs, MODEL_CONFIG)
        try:
            labels = [str(x) for x in config["labels"]]
            members = [
                Member(float(m["temperature"]), float(m.get("weight", 1.0)))
                for m in config.get("members", [{"temperature": config.get("temperature", 1.0)}])
            ]
            vocabs: dict[str, Vocabulary] = {}
            blocks = [_load_block(spec, blobs, len(labels), vocabs) for spec in config["blocks"]]
            final_temperature = float(config.get("final_temperature", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise RoutingModelError(
                f"The routing model in {directory} has a malformed {MODEL_CONFIG}: {exc}"
            ) from exc
        if (
            not labels
            or not blocks
            or final_temperature <= 0
            or any(m.temperature <= 0 or m.weight < 0 for m in members)
            or sum(m.weight for m in members) <= 0
            or any(not 0 <= b.member < len(members) for b in blocks)
        ):
            raise RoutingModelError(
                f"The routing model in {directory} has no labels, no feature blocks or "
                "invalid ensemble members."
            )
        return cls(
            manifest=manifest,
            labels=labels,
            members=members,
            blocks=blocks,
            final_temperature=final_temperature,
        )

    def scores(self, title: str, body: str) -> tuple[np.ndarray, Seen]:
        """Raw linear scores per member and label, shape (members, labels), and the features each block saw."""
        title_n, body_n = normalise(title or ""), normalise(body or "")
        total = np.zeros((len(self.members), len(self.labels)), dtype=np.float32)
        cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        seen: Seen = []
        for block in self.blocks:
            text = block.text_of(title_n, body_n)
            if not text:
                continue
            key = (block.vocab.key, block.field)
            if key not in cache:
                cache[key] = block.vocab.features(text)
            idx, values = cache[key]
            total[block.member] += block.scale * (values @ block.weights[idx] + block.bias)
            seen.append((block, idx, values))
        return total, seen

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated label probabilities from per-member raw scores (members, labels)."""
        mixed = np.zeros(scores.shape[1], dtype=np.float64)
        for member, row in zip(self.members, scores, strict=True):
            mixed += member.weight * _softmax(row.astype(np.float64) / member.temperature)
        mixed /= sum(m.weight for m in self.members)
        if self.final_temperature == 1.0:
            return mixed
        return _softmax(np.log(np.maximum(mixed, 1e-300)) / self.final_temperature)

    def predict(self, title: str, body: str, top_k: int = 3) -> list[Prediction]:
        """Top-k (label, confidence) with driving terms; [] when the text gives nothing to go on (it says nothing
        a suggestion could rest on, see `gate`, or too few of its n-grams are known)."""
        title, body = _as_text(title), _as_text(body)
        if top_k <= 0 or not says_something(f"{title} {body}"):
            return []
        scores, seen = self.scores(title, body)
        if sum(len(idx) for _, idx, _ in {id(v[1]): v for v in seen}.values()) < MIN_KNOWN_FEATURES:
            return []
        probs = self.probabilities(scores)
        order = [int(c) for c in np.argsort(-probs, kind="stable")[:top_k]]
        terms = self._terms(seen, order)
        return [Prediction(self.labels[c], float(probs[c]), terms[c]) for c in order]

    def _terms(self, seen: Seen, labels: list[int]) -> dict[int, tuple[str, ...]]:
        """Per label, the input n-grams pushing hardest towards it relative to the average label.

        Each block's push is divided by its member's temperature and multiplied by the member's weight,
        so members count as much in the explanation as they do in the probabilities.
        """
        weights: dict[int, dict[str, float]] = {label: {} for label in labels}
        for block, idx, values in seen:
            member = self.members[block.member]
            rows = block.weights[idx][:, labels]
            centred = rows - block.weights[idx].mean(axis=1, keepdims=True)
            push = ((member.weight / member.temperature) * block.scale * values)[:, None] * centred
            for column, label in enumerate(labels):
                top = np.argsort(-push[:, column])[: TERMS_PER_PREDICTION * 6]
                weight = weights[label]
                for j in top.tolist():
                    term = block.terms[int(idx[j])]
                    weight[term] = weight.get(term, 0.0) + float(push[j, column])
        return {label: _pick_terms(weight) for label, weight in weights.items()}


def _pick_terms(weight: dict[str, float]) -> tuple[str, ...]:
    """The strongest positive CJK terms that say something (letters only, no particle, not a vague single
    character), none contained in another already picked."""
    picked: list[str] = []
    for term, amount in sorted(weight.items(), key=lambda kv: -kv[1]):
        if amount <= 0 or len(picked) >= TERMS_PER_PREDICTION:
            break
        if not has_cjk(term) or _says_nothing(term) or any(term in p or p in term for p in picked):
            continue
        picked.append(term)
    return tuple(picked)


def _says_nothing(term: str) -> bool:
    return not term.isalpha() or any(ch in PARTICLES for ch in term) or term in VAGUE_SINGLES


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _load_block(
    spec: dict[str, Any], blobs: dict[str, bytes], n_labels: int, vocabs: dict[str, Vocabulary]
) -> FeatureBlock:
    key = str(spec["vocab"])
    vocab = vocabs.get(key)
    if vocab is None:
        terms = [str(t) for t in load_json(blobs, key)]
        idf = load_array(blobs, spec["idf"])
        if idf.shape != (len(terms),):
            raise RoutingModelError(f"The routing model vocabulary {key} and its idf differ in length.")
        vocab = Vocabulary(
            key=key,
            low=int(spec["low"]),
            high=int(spec["high"]),
            index={t: i for i, t in enumerate(terms)},
            terms=terms,
            idf=idf,
        )
        vocabs[key] = vocab
    elif (vocab.low, vocab.high) != (int(spec["low"]), int(spec["high"])):
        raise RoutingModelError(
            f"The routing model vocabulary {key} is shared by blocks with different n-grams."
        )
    weights = load_array(blobs, spec["weights"])
    bias = load_array(blobs, spec["bias"])
    if weights.shape != (len(vocab.terms), n_labels) or bias.shape != (n_labels,):
        raise RoutingModelError(f"The routing model block {spec.get('name')} has inconsistent array shapes.")
    return FeatureBlock(
        name=str(spec["name"]),
        member=int(spec.get("member", 0)),
        field=str(spec["field"]),
        scale=float(spec["scale"]),
        vocab=vocab,
        weights=weights,
        bias=bias,
    )

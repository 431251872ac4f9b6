"""Fitting the ensemble's members on examples and writing them as a model directory (development time).

Blocks with the same field, n-gram range and pruning share one vocabulary file and one idf array, so
two members over the same features cost one lookup at prediction time.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .artifacts import MODEL_CONFIG, save_array, save_json, write_manifest
from .dataset import Example, augment
from .linear import fit_nbsvm, fit_svm
from .model import RoutingModel
from .text import char_ngrams, join_fields, normalise

LEARNERS = {"svm": fit_svm, "nbsvm": fit_nbsvm}


@dataclass(frozen=True)
class BlockSpec:
    """One feature block: which field, which n-gram lengths and the document-frequency pruning."""

    name: str = "all"
    field: str = "all"
    low: int = 1
    high: int = 2
    min_df: int = 3

    @property
    def vocab_key(self) -> str:
        return f"{self.field}_{self.low}_{self.high}_df{self.min_df}"


@dataclass(frozen=True)
class MemberSpec:
    """One linear model of the ensemble: "svm" (LinearSVC) or "nbsvm" (NB-SVM), its C and its blocks."""

    name: str = "svm"
    kind: str = "svm"
    c: float = 1.0
    blocks: tuple[BlockSpec, ...] = (BlockSpec(),)
    weight: float = 1.0


@dataclass
class FittedBlock:
    spec: BlockSpec
    weights: np.ndarray  # (V, C)
    bias: np.ndarray  # (C,)


@dataclass
class FittedMember:
    spec: MemberSpec
    blocks: list[FittedBlock] = field(default_factory=list)


@dataclass
class Vocab:
    terms: list[str]
    idf: np.ndarray


@dataclass
class Fitted:
    """Every member plus the vocabularies their blocks read (by `BlockSpec.vocab_key`)."""

    members: list[FittedMember]
    vocabs: dict[str, Vocab]


def block_text(spec: BlockSpec, ex: Example) -> str:
    """The normalised text a block reads from one example (same rule as the predictor)."""
    title, body = normalise(ex.title), normalise(ex.body)
    return title if spec.field == "title" else body if spec.field == "body" else join_fields(title, body)


def fit_members(examples: Sequence[Example], labels: Sequence[str], members: Sequence[MemberSpec]) -> Fitted:
    """Fit every member on the augmented examples (one joint linear model per member over its blocks)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = augment(list(examples))
    y = np.array([labels.index(ex.label) for ex in rows])
    vocabs: dict[str, Vocab] = {}
    matrices: dict[str, Any] = {}
    for spec in {b.vocab_key: b for m in members for b in m.blocks}.values():
        docs = [block_text(spec, ex) for ex in rows]
        vec = TfidfVectorizer(
            analyzer=functools.partial(char_ngrams, low=spec.low, high=spec.high),
            sublinear_tf=True,
            min_df=spec.min_df,
            dtype=np.float32,
        )
        matrices[spec.vocab_key] = vec.fit_transform(docs)  # an empty text is an all-zero row
        terms = [""] * len(vec.vocabulary_)
        for term, col in vec.vocabulary_.items():
            terms[col] = term
        vocabs[spec.vocab_key] = Vocab(terms, vec.idf_.astype(np.float32))
    fitted: list[FittedMember] = []
    for member in members:
        joint = sp.hstack([matrices[b.vocab_key] for b in member.blocks]).tocsr()
        weights, bias = LEARNERS[member.kind](joint, y, len(labels), c=member.c)
        out = FittedMember(member)
        start = 0
        for i, b in enumerate(member.blocks):
            size = len(vocabs[b.vocab_key].terms)
            # the bias goes with the first block, which should be one that every input has ("all")
            block_bias = bias if i == 0 else np.zeros_like(bias)
            out.blocks.append(FittedBlock(b, weights[start : start + size], block_bias))
            start += size
        fitted.append(out)
    return Fitted(fitted, vocabs)


def export(
    fitted: Fitted, out: Path, *, labels: Sequence[str], calibration: dict[str, Any], extra: dict[str, Any]
) -> dict[str, Any]:
    """Write vocabularies, float32 arrays, model.json and the manifest into out (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    vocab_files: dict[str, tuple[str, str]] = {}
    for key, vocab in fitted.vocabs.items():
        vocab_files[key] = (
            save_json(out, f"vocab_{key}.json", vocab.terms),
            save_array(out, f"idf_{key}", vocab.idf),
        )
        files += vocab_files[key]
    blocks = []
    members = []
    for number, member in enumerate(fitted.members):
        members.append(
            {
                "name": member.spec.name,
                "kind": member.spec.kind,
                "temperature": calibration["members"][number],
                "weight": member.spec.weight,
            }
        )
        for block in member.blocks:
            stem = f"{member.spec.name}_{block.spec.name}"
            entry: dict[str, Any] = {
                "name": stem,
                "member": number,
                "field": block.spec.field,
                "low": block.spec.low,
                "high": block.spec.high,
                "scale": 1.0,
                "vocab": vocab_files[block.spec.vocab_key][0],
                "idf": vocab_files[block.spec.vocab_key][1],
                "weights": save_array(out, f"weights_{stem}", block.weights),
                "bias": save_array(out, f"bias_{stem}", block.bias),
            }
            files += [entry["weights"], entry["bias"]]
            blocks.append(entry)
    config = {
        "labels": list(labels),
        "members": members,
        "final_temperature": calibration["final"],
        "blocks": blocks,
    }
    files.append(save_json(out, MODEL_CONFIG, config))
    return write_manifest(out, files=files, extra=extra)


def fit_and_load(
    examples: Sequence[Example], labels: Sequence[str], members: Sequence[MemberSpec], calibration: dict[str, Any]
) -> RoutingModel:
    """Fit the members and load them exactly as a seat would: exported to a directory, then verified and read."""
    with tempfile.TemporaryDirectory() as tmp:
        export(fit_members(examples, labels, members), Path(tmp), labels=labels, calibration=calibration, extra={})
        return RoutingModel.load(tmp)

"""Leaf-level routing: the city's three-level categories ranked by meaning, inside the top levels the model predicts.

The top-level model (model.py) decides the branch; inside it the leaves are ranked by the similarity between the
case's sentence vector (semantic/, the desk's encoder) and each leaf's prototype from the routing release's
`routing_leaves.json` (contract/routing_leaves.py): the path text's vector blended with the centroid of the cases
operators filed under that leaf, as the central server learned it; measured from the mean case vector, else a
learned centroid (made of case vectors, which all share a large common part) would win for every case: with 20
random cases of a branch learned as one leaf's, that leaf came first for 100 % of the branch's cached dev messages
uncentred, 0.2-2.4 % centred. No vector, or leaves made by another encoder:
no leaves, the top-level suggestions stand alone. numpy only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contract.routing_leaves import LeafFile, parse

from .errors import RoutingModelError

#: How a leaf's path is written for the encoder. It is encoded as a query (e5's "query: " side: a short label that
#: looks for the complaints it names); on 33 hand-written paraphrased complaints, ranked inside their true branch,
#: that put the right leaf first for 23-24 against 20 as a passage; measured from the center: 24, top-3 27 of 33.
LEAF_TEXT_SEPARATOR = " "
#: Weight of the lexical cue: the share of the leaf name's character bigrams found in the content. Leaves of one
#: branch lie within a few hundredths of each other, so a leaf the citizen names outright ("停水" for 供水 › 停水, not
#: 水压不足) is lifted by up to this much. On the 33 paraphrased complaints (which rarely name the leaf) it changes
#: one top-1 either way (23-24); it is there for the calls that say the leaf's own words.
LEXICAL_WEIGHT = 0.03
#: A second top level's leaves are ranked too when its probability is at least this share of the first's.
CLOSE = 0.5
LEAVES_SHOWN = 3


@dataclass(frozen=True)
class LeafMatch:
    path: str  # 'level1/level2/level3'
    score: float  # the prototype · (case vector − mean case vector), plus the lexical cue when the content was given


class LeafIndex:
    """Prototypes of every leaf, L2-normalised float32 (leaves, dim). Read-only after construction."""

    def __init__(self, encoder: str, paths: Sequence[str], prototypes: np.ndarray, learned_cases: int = 0,
                 center: np.ndarray | None = None) -> None:
        self.encoder = encoder
        self.center = center  # the mean case vector (not normalised); scores are measured from it
        self.paths = tuple(paths)
        self.tops = tuple(p.split("/", 1)[0] for p in self.paths)
        self.matrix = prototypes.astype(np.float32)
        self.learned_cases = learned_cases
        self._names = tuple(_bigrams(p.rsplit("/", 1)[-1]) for p in self.paths)

    @classmethod
    def from_file(cls, leaf_file: LeafFile) -> LeafIndex:
        from semantic.codec import unpack

        rows = []
        for leaf in leaf_file.leaves:
            proto = leaf_file.prior * unpack(leaf.text, leaf_file.dim)
            if leaf.centroid is not None:
                proto = proto + leaf.cases * unpack(leaf.centroid, leaf_file.dim)
            rows.append(proto / np.linalg.norm(proto))
        center = _raw(leaf_file.center) if leaf_file.center is not None else None
        return cls(leaf_file.encoder, [leaf.path for leaf in leaf_file.leaves], np.stack(rows),
                   leaf_file.learned_cases, center)

    @classmethod
    def load(cls, path: Path) -> LeafIndex:
        """RoutingModelError when the file is missing or malformed."""
        try:
            return cls.from_file(parse(Path(path).read_bytes()))
        except (OSError, ValueError) as exc:
            raise RoutingModelError(f"The routing leaves {path} cannot be used: {exc}") from exc

    def rank(self, vector: np.ndarray, tops: Collection[str], *, known: Collection[str] | None = None,
             k: int = LEAVES_SHOWN, content: str = "") -> list[LeafMatch]:
        """The k leaves under `tops` nearest the case vector, best first (only `known` paths, when given); `content`,
        when given, lifts the leaves whose name it says (LEXICAL_WEIGHT)."""
        mask = np.array([t in tops and (known is None or p in known) for t, p in zip(self.tops, self.paths,
                                                                                      strict=True)])
        if not mask.any() or vector.shape != (self.matrix.shape[1],):
            return []
        case = vector.astype(np.float32) - (self.center if self.center is not None else 0.0)
        scores = self.matrix @ case
        if content:
            said = set(_bigrams(content))
            scores += LEXICAL_WEIGHT * np.array([len(n & said) / len(n) if n else 0.0 for n in self._names],
                                                dtype=np.float32)
        scores[~mask] = -np.inf
        order = np.argsort(-scores, kind="stable")[: min(k, int(mask.sum()))]
        return [LeafMatch(self.paths[i], round(float(scores[i]), 4)) for i in order]


def _raw(blob: bytes) -> np.ndarray:
    """A packed vector (semantic.codec.pack) as it was, not normalised: float32 scale, then int8 components."""
    scale = np.frombuffer(blob[:4], dtype="<f4")[0]
    return (np.frombuffer(blob[4:], dtype=np.int8).astype(np.float32) * scale).astype(np.float32)


def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams inside each run of letters and digits of `text` (a one-letter name is its letter)."""
    runs = "".join(ch if ch.isalnum() else " " for ch in text).split()
    found = frozenset(run[i : i + 2] for run in runs for i in range(len(run) - 1))
    return found or frozenset("".join(runs))


def leaf_text(path: str) -> str:
    """The text whose vector stands for a leaf before any case is learned: its three levels."""
    return LEAF_TEXT_SEPARATOR.join(path.split("/"))


def branches(ranked: Sequence[tuple[str, float]]) -> list[str]:
    """The top levels whose leaves are ranked: the first, and the second when it is close (see CLOSE)."""
    if not ranked:
        return []
    out = [ranked[0][0]]
    if len(ranked) > 1 and ranked[1][1] >= CLOSE * ranked[0][1]:
        out.append(ranked[1][0])
    return out

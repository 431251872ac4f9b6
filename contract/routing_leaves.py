"""The leaf prototypes a routing release carries (`routing_leaves.json`): one entry per category leaf of the city.

A seat ranks the category tree's leaves by the cosine between the case's sentence vector and each leaf's prototype,
measured from `center` (the mean case vector) when the file has one: every case vector shares a large common part,
so a prototype made of case vectors (a learned centroid) would otherwise be nearer every case than a path text's.
A prototype blends two vectors: the vector of the leaf's path text (made once, by scripts/build_leaf_vectors.py,
with the encoder the seats run), and, once the central server has learned them, the normalised centroid of the
vectors of the cases whose operators chose that leaf; `prior` says how many cases the path text counts as.
Vectors travel as `semantic.codec.pack` bytes (float32 scale + int8), base64 in JSON; they are only valid for the
encoder named in the file. This module checks the structure with the standard library alone (the server and the
seat both read it, neither trusts it); unpacking into numpy is each side's business.

    {"format": 1, "encoder": "...", "dim": 384, "prior": 5.0, "center": "<base64>",
     "leaves": [{"path": "城乡建设/物业管理/物业收费", "text": "<base64>", "cases": 12, "centroid": "<base64>"}]}
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from dataclasses import dataclass, replace

LEAVES_FILE = "routing_leaves.json"
FORMAT = 1
DEFAULT_PRIOR = 5.0
MAX_LEAVES = 5000
MAX_PATH_CHARS = 200


@dataclass(frozen=True)
class Leaf:
    path: str  # 'level1/level2/level3'
    text: bytes  # packed vector of the path text
    cases: int = 0  # cases the centroid was learned from
    centroid: bytes | None = None  # packed normalised centroid of their vectors (None while cases == 0)

    @property
    def top(self) -> str:
        return self.path.split("/", 1)[0]


@dataclass(frozen=True)
class LeafFile:
    encoder: str
    dim: int
    prior: float
    leaves: tuple[Leaf, ...]
    center: bytes | None = None  # packed mean of case vectors (not normalised): what every case shares

    @property
    def learned_cases(self) -> int:
        return sum(leaf.cases for leaf in self.leaves)

    def with_learned(self, learned: dict[str, tuple[int, bytes]]) -> LeafFile:
        """The same leaves with these (cases, packed centroid) per path; a leaf not named learns nothing."""
        return replace(self, leaves=tuple(
            replace(leaf, cases=learned[leaf.path][0], centroid=learned[leaf.path][1]) if leaf.path in learned
            else replace(leaf, cases=0, centroid=None)
            for leaf in self.leaves))


def dump(leaf_file: LeafFile) -> bytes:
    """UTF-8 JSON, stable order (a release is named by its files' hashes)."""
    leaves = []
    for leaf in leaf_file.leaves:
        entry: dict[str, object] = {"path": leaf.path, "text": _b64(leaf.text), "cases": leaf.cases}
        if leaf.centroid is not None:
            entry["centroid"] = _b64(leaf.centroid)
        leaves.append(entry)
    data: dict[str, object] = {"format": FORMAT, "encoder": leaf_file.encoder, "dim": leaf_file.dim,
                               "prior": leaf_file.prior, "leaves": leaves}
    if leaf_file.center is not None:
        data["center"] = _b64(leaf_file.center)
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def parse(raw: bytes) -> LeafFile:
    """The checked file; ValueError naming what is wrong otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{LEAVES_FILE} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{LEAVES_FILE} is not format {FORMAT}")
    encoder, dim, prior, leaves = data.get("encoder"), data.get("dim"), data.get("prior"), data.get("leaves")
    if not isinstance(encoder, str) or not 0 < len(encoder) <= 100:
        raise ValueError(f"{LEAVES_FILE}: encoder must be a short string")
    if not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 4096:
        raise ValueError(f"{LEAVES_FILE}: dim out of range")
    if not isinstance(prior, int | float) or isinstance(prior, bool) or not (math.isfinite(prior) and prior > 0):
        raise ValueError(f"{LEAVES_FILE}: prior must be a positive number")
    if not isinstance(leaves, list) or not 0 < len(leaves) <= MAX_LEAVES:
        raise ValueError(f"{LEAVES_FILE}: leaves must be a non-empty list of at most {MAX_LEAVES}")
    out: list[Leaf] = []
    seen: set[str] = set()
    for entry in leaves:
        leaf = _leaf(entry, dim)
        if leaf.path in seen:
            raise ValueError(f"{LEAVES_FILE}: the leaf {leaf.path} is listed twice")
        seen.add(leaf.path)
        out.append(leaf)
    center = _vector(data["center"], dim, "the center") if "center" in data else None
    return LeafFile(encoder, dim, float(prior), tuple(out), center)


def _leaf(entry: object, dim: int) -> Leaf:
    if not isinstance(entry, dict):
        raise ValueError(f"{LEAVES_FILE}: every leaf must be an object")
    path, cases = entry.get("path"), entry.get("cases", 0)
    parts = path.split("/") if isinstance(path, str) else []
    if len(parts) != 3 or not all(p.strip() == p and p for p in parts) or len(str(path)) > MAX_PATH_CHARS:
        raise ValueError(f"{LEAVES_FILE}: a leaf's path must be three non-empty levels 'a/b/c'")
    if not isinstance(cases, int) or isinstance(cases, bool) or cases < 0:
        raise ValueError(f"{LEAVES_FILE}: the leaf {path}: cases must be a count")
    text = _vector(entry.get("text"), dim, f"the leaf {path}'s text vector")
    centroid = _vector(entry["centroid"], dim, f"the leaf {path}'s centroid") if "centroid" in entry else None
    if (centroid is None) != (cases == 0):
        raise ValueError(f"{LEAVES_FILE}: the leaf {path} needs a centroid exactly when it learned from cases")
    return Leaf(str(path), text, cases, centroid)


def _vector(raw: object, dim: int, what: str) -> bytes:
    """Packed vector bytes: a finite positive float32 scale, then `dim` int8 components, not all zero."""
    if not isinstance(raw, str):
        raise ValueError(f"{LEAVES_FILE}: {what} must be base64 text")
    try:
        blob = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{LEAVES_FILE}: {what} is not base64") from exc
    if len(blob) != 4 + dim:
        raise ValueError(f"{LEAVES_FILE}: {what} has the wrong length")
    (scale,) = struct.unpack("<f", blob[:4])
    if not (math.isfinite(scale) and scale > 0) or not any(blob[4:]):
        raise ValueError(f"{LEAVES_FILE}: {what} is malformed")
    return blob


def _b64(blob: bytes) -> str:
    return base64.b64encode(blob).decode("ascii")

"""Learning the routing leaves from the categories operators chose, and publishing them as a new routing release.

Every case carries the category its operator filed it under (or corrected it to), and the server embeds every
case's content (case_vectors, services/vector_worker.py). For each leaf of the current release's
`routing_leaves.json` (contract/routing_leaves.py) the vectors of the cases filed under it are summed and
normalised into a centroid; a leaf with fewer than `min_cases` such cases keeps its path-text vector alone. The mean
of all the case vectors becomes the file's center (seats measure similarities from it) once there are enough. The
release's other files (model, routing directory) are kept as they are, so seats get the same model with the learned
leaves through the usual routing pull (`central-server routing learn-leaves`). Only vectors made by the encoder the
leaves were made with count (another encoder's cosines mean nothing). Case contents are never read, only vectors
and categories.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid, NotFound
from central_server.db.models import Case, CaseVector, RoutingModelFile
from central_server.services import routing_models
from contract.routing_leaves import LEAVES_FILE, LeafFile, dump, parse
from semantic.codec import pack, unpack

MIN_CASES = 3
MIN_CENTER_CASES = 50  # fewer case vectors than this: the center the release came with stays
BATCH = 2000


@dataclass(frozen=True)
class Learned:
    published: routing_models.Published
    cases: int  # case vectors of this encoder filed under one of the leaves
    leaves: int  # leaves that learned a centroid (>= min_cases cases)
    base: str  # where the release's other files came from: "current release" or the shipped folder


def base_files(session: Session, shipped: Path) -> tuple[dict[str, bytes], str]:
    """The current release's files, else the shipped model folder's; the shipped leaves when the release has none
    (a model trained and published without them)."""
    try:
        release = routing_models.current(session)
    except NotFound:
        files, base = routing_models.read_directory(shipped), f"shipped model {shipped}"
    else:
        rows = session.execute(select(RoutingModelFile.name, RoutingModelFile.data)
                               .where(RoutingModelFile.version == release.version)).all()
        files, base = {name: bytes(data) for name, data in rows}, f"current release {release.version[:16]}"
    if LEAVES_FILE not in files and (shipped / LEAVES_FILE).is_file():
        files[LEAVES_FILE] = (shipped / LEAVES_FILE).read_bytes()
    if LEAVES_FILE not in files:
        raise Invalid(f"no {LEAVES_FILE} in the {base} nor in {shipped}: build it first "
                      "(scripts/build_leaf_vectors.py)")
    return files, base


def centroids(session: Session, leaf_file: LeafFile, *, min_cases: int = MIN_CASES
              ) -> tuple[dict[str, tuple[int, bytes]], int, bytes | None]:
    """Per leaf with at least min_cases case vectors of the leaves' encoder: (cases, packed centroid); the number
    of case vectors that fell under any leaf; the packed mean of every case vector (None when too few)."""
    index = {leaf.path: n for n, leaf in enumerate(leaf_file.leaves)}
    sums = np.zeros((len(index), leaf_file.dim), dtype=np.float64)
    counts = np.zeros(len(index), dtype=np.int64)
    total, seen = np.zeros(leaf_file.dim, dtype=np.float64), 0
    stmt = (select(CaseVector.data, Case.fields["category"].as_string())
            .join(Case, Case.id == CaseVector.case_id)
            .where(CaseVector.encoder == leaf_file.encoder, CaseVector.dim == leaf_file.dim)
            .execution_options(yield_per=BATCH))
    for data, category in session.execute(stmt):
        try:
            vector = unpack(bytes(data), leaf_file.dim)
        except ValueError:  # a damaged vector teaches nothing
            continue
        total += vector
        seen += 1
        row = index.get(category or "")
        if row is not None:
            sums[row] += vector
            counts[row] += 1
    learned = {}
    for path, row in index.items():
        norm = float(np.linalg.norm(sums[row]))
        if counts[row] >= min_cases and norm > 0:
            learned[path] = (int(counts[row]), pack(sums[row] / norm))
    return learned, int(counts.sum()), pack(total / seen) if seen >= MIN_CENTER_CASES else None


def learn_and_publish(session: Session, *, shipped: Path, now: datetime, departments: Collection[str] | None = None,
                      min_cases: int = MIN_CASES) -> Learned:
    """Learn the leaves from every embedded case and publish the release with them (commits)."""
    if min_cases < 1:
        raise Invalid("min_cases must be at least 1")
    files, base = base_files(session, shipped)
    try:
        leaf_file = parse(files[LEAVES_FILE])
    except ValueError as exc:
        raise Invalid(f"the {base}'s leaves cannot be learned from: {exc}") from exc
    learned, cases, center = centroids(session, leaf_file, min_cases=min_cases)
    updated = leaf_file.with_learned(learned)
    files[LEAVES_FILE] = dump(replace(updated, center=center) if center is not None else updated)
    published = routing_models.publish(session, files, now=now, departments=departments)
    return Learned(published, cases, len(learned), base)

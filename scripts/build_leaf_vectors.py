"""Build the shipped leaf prototypes (resources/routing/routing_leaves.json) from the city's category tree.

Each leaf of resources/city/categories.csv gets the sentence vector of its path text (operator_app.routing.leaves
.leaf_text, encoded as a query), made with the encoder the seats run (semantic/, one thread, a few seconds for ~250 leaves); nothing is
learned yet (the central server adds the cases' centroids: `central-server routing learn-leaves`). Run it again
when the category tree or the encoder changes; then re-hash nothing: the leaves file is outside the model's
manifest, a release is named by all its files.

The file's center (the mean case vector the seats measure similarities from) is the mean of the routing messages'
vectors in the benchmark cache (benchmarks/_vectors.py; a derived number, no text), read without encoding
anything; without them the file has no center until the server learns one.

Usage: python scripts/build_leaf_vectors.py [--categories CSV] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from contract.routing_leaves import DEFAULT_PRIOR, LEAVES_FILE, Leaf, LeafFile, dump  # noqa: E402
from operator_app.routing.leaves import leaf_text  # noqa: E402
from semantic import load_encoder  # noqa: E402
from semantic.codec import pack  # noqa: E402


def leaf_paths(categories: Path) -> list[str]:
    with categories.open(encoding="utf-8-sig", newline="") as handle:
        return ["/".join(row[:3]) for n, row in enumerate(csv.reader(handle)) if n and len(row) >= 3 and all(row[:3])]


def cached_center() -> tuple[np.ndarray | None, int]:
    """The mean of the routing messages' vectors already in the benchmark cache, and how many there were."""
    from benchmarks._vectors import DATA
    from benchmarks.routing_quality import cached
    from operator_app.routing.dataset import read_examples
    from semantic import case_passage

    data = DATA / "routing" / "dev.csv"
    if not data.is_file():
        return None, 0
    have, matrix = cached([case_passage(f"{ex.title}\n{ex.body}") for ex in read_examples(data)])
    return (matrix[have].mean(axis=0), int(have.sum())) if have.sum() >= 200 else (None, int(have.sum()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--categories", default=str(REPO / "resources" / "city" / "categories.csv"))
    parser.add_argument("--out", default=str(REPO / "resources" / "routing" / LEAVES_FILE))
    args = parser.parse_args()
    encoder = load_encoder(1)
    if encoder is None:
        print("the sentence encoder cannot run here (semantic.last_failure() says why)", file=sys.stderr)
        return 1
    paths = leaf_paths(Path(args.categories))
    vectors = np.stack([encoder.query(leaf_text(p)) for p in paths])  # a label looking for its complaints
    center, cases = cached_center()
    leaf_file = LeafFile(encoder.id, int(vectors.shape[1]), DEFAULT_PRIOR,
                         tuple(Leaf(p, pack(v)) for p, v in zip(paths, vectors, strict=True)),
                         pack(center) if center is not None else None)
    Path(args.out).write_bytes(dump(leaf_file))
    print(f"{len(paths)} leaves ({encoder.id}) written to {args.out}; center from {cases} cached case vectors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Retrain the routing model on the group split and print every held-out figure as JSON.

The split keeps groups of rows together: same normalised title or body, near-identical titles or
bodies, and a title contained in another row's body (the two halves of one message; see
operator_app/routing/neardup.py).

Usage: python benchmarks/routing_quality.py [--data CSV] [--cv | --vectors [--cached-only]]
Figures: top-1, top-3, accuracy at 80% coverage, calibration error, titles-only, per-class, and the char
TF-IDF + LinearSVC baseline trained and measured on the same split. The model written here is thrown away.
With --cv it instead compares the default recipe with its parts by 5-fold group cross-validation inside
the training part only (how the recipe was chosen; the held-out part is not touched).
With --vectors it measures, in one run on the same split, the shipped recipe without and with the e5 case vectors
(operator_app/routing/vector_eval.py): top-1, top-3 and accuracy on the 80% most confident of each. The vectors
come from the benchmark cache (benchmarks/_vectors.py, `routing_passages()`: title + body as a case's content);
missing ones are encoded (~0.3 s each on one core) unless --cached-only, which measures on the rows already cached
(a random subset: the cache is filled in hash order) and says how many those are.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from operator_app.routing.export import BlockSpec, MemberSpec  # noqa: E402
from operator_app.routing.train import DEFAULT_MEMBERS, train  # noqa: E402


def cv_recipes() -> dict[str, tuple[MemberSpec, ...]]:
    """The default ensemble, each of its members alone, and the ensemble with rarer n-grams pruned."""
    pruned = tuple(
        MemberSpec(m.name, m.kind, m.c, tuple(BlockSpec(b.name, b.field, b.low, b.high, 3) for b in m.blocks))
        for m in DEFAULT_MEMBERS
    )
    return {
        "default ensemble": DEFAULT_MEMBERS,
        **{f"{m.name} alone": (m,) for m in DEFAULT_MEMBERS},
        "ensemble, min_df 3": pruned,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "routing" / "dev.csv"))
    parser.add_argument("--cv", action="store_true", help="cross-validate recipes inside the training part")
    parser.add_argument("--vectors", action="store_true", help="with and without e5 case vectors, in one run")
    parser.add_argument("--cached-only", action="store_true", help="with --vectors: only rows already cached")
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(json.dumps({"skipped": f"no data at {args.data}"}))
        return 0
    if args.vectors:
        return with_vectors(Path(args.data), cached_only=args.cached_only)
    if args.cv:
        from operator_app.routing.tune import compare

        result = compare(args.data, cv_recipes(), log=lambda line: print(line, file=sys.stderr))
        print(json.dumps({"cross_validation_on_training_part": result}, ensure_ascii=False, indent=2))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        result = train(args.data, tmp, log=lambda line: print(line, file=sys.stderr))
    result.pop("model_version", None)
    targets = {
        "top1>=0.94": result["top1"] >= 0.94,
        "top1>=baseline+0.015": result["margin_over_baseline"] >= 0.015,
        "top3>=0.995": result["top3"] >= 0.995,
        "accuracy_at_80pct_coverage>=0.99": result["accuracy_at_80pct_coverage"] >= 0.99,
        "stretch_top1>=0.965": result["top1"] >= 0.965,
    }
    print(json.dumps({"held_out": result, "targets_met": targets}, ensure_ascii=False, indent=2))
    return 0


def with_vectors(data: Path, *, cached_only: bool) -> int:
    import numpy as np

    from benchmarks._vectors import vectors
    from operator_app.routing.dataset import read_examples
    from operator_app.routing.vector_eval import compare_with_vectors
    from semantic import case_passage

    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    examples = read_examples(data)
    texts = [case_passage(f"{ex.title}\n{ex.body}") for ex in examples]  # as _vectors.routing_passages()
    if cached_only:
        have, matrix = cached(texts)
    else:
        matrix, have = vectors(texts, "passage", log=log), np.ones(len(texts), dtype=bool)
    if have.sum() < 200:
        print(json.dumps({"skipped": f"only {int(have.sum())} of {len(texts)} rows have cached vectors; the "
                                     "comparison needs a few hundred (python benchmarks/_vectors.py routing)"}))
        return 0
    log(f"{int(have.sum())} of {len(texts)} rows have vectors")
    from contract.routing_leaves import LEAVES_FILE
    from operator_app.paths import resources_dir
    from operator_app.routing.leaves import LeafIndex

    leaves = LeafIndex.load(resources_dir() / "routing" / LEAVES_FILE)
    result = compare_with_vectors(examples, matrix, have, leaves=leaves, log=log)
    result["rows"]["with_vectors_of_all"] = f"{int(have.sum())}/{len(texts)}"
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cached(texts: list[str]):  # type: ignore[no-untyped-def]
    """(which rows have a vector in the cache, their vectors) without encoding anything."""
    import sqlite3

    import numpy as np

    from benchmarks._vectors import _key, cache_path
    from semantic import encoder_id

    keys = [_key(encoder_id(), "passage", t) for t in texts]
    found: dict[str, bytes] = {}
    if cache_path().is_file():
        conn = sqlite3.connect(f"file:{cache_path()}?mode=ro", uri=True, timeout=60)
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            found.update(conn.execute(f"SELECT key, data FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                                      chunk).fetchall())
        conn.close()
    have = np.array([k in found for k in keys])
    matrix = np.zeros((len(keys), 384), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in found:
            matrix[i] = np.frombuffer(found[k], dtype=np.float32)
    return have, matrix


if __name__ == "__main__":
    raise SystemExit(main())

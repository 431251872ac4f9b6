"""Retrain the routing model on the group split and print every held-out figure as JSON.

The split keeps groups of rows together: same normalised title or body, near-identical titles or
bodies, and a title contained in another row's body (the two halves of one message; see
operator_app/routing/neardup.py).

Usage: python benchmarks/routing_quality.py [--data CSV] [--cv]
Figures: top-1, top-3, accuracy at 80% coverage, calibration error, titles-only, per-class, and the char
TF-IDF + LinearSVC baseline trained and measured on the same split. The model written here is thrown away.
With --cv it instead compares the default recipe with its parts by 5-fold group cross-validation inside
the training part only (how the recipe was chosen; the held-out part is not touched).
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
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(json.dumps({"skipped": f"no data at {args.data}"}))
        return 0
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


if __name__ == "__main__":
    raise SystemExit(main())

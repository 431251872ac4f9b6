"""Retrain the routing model on the group split and print every held-out figure as JSON.

Usage: python benchmarks/routing_quality.py [--data CSV]
Figures: top-1, top-3, accuracy at 80% coverage, titles-only, per-class, and the char TF-IDF + LinearSVC
baseline trained and measured on the same split. The model written here is thrown away.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from operator_app.routing.train import train  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "routing" / "dev.csv"))
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(json.dumps({"skipped": f"no data at {args.data}"}))
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

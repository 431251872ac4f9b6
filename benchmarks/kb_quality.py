"""Search quality on ../shared/data/kb: Recall@5 and MRR@10 per corpus over the dev queries. Prints JSON.

The dev queries are split deterministically by a hash of the query text into a "tune" half (used when choosing
ranking constants) and a "heldout" half (only reported); figures are printed for all queries and for each half.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge_base import KnowledgeBase  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "kb"
CORPORA = ("replies", "policy")
SPLITS = ("all", "tune", "heldout")


def split_of(query: str) -> str:
    """'tune' or 'heldout', from a stable hash of the query text (about half each)."""
    digest = hashlib.blake2b(query.encode("utf-8"), digest_size=8).digest()
    return "tune" if digest[0] % 2 == 0 else "heldout"


class Tally:
    """Running Recall@5 / MRR@10 counts."""

    def __init__(self) -> None:
        self.n = 0
        self.hits5 = 0
        self.rr = 0.0

    def add(self, first_rank: int | None) -> None:
        self.n += 1
        if first_rank is not None:
            self.hits5 += first_rank < 5
            self.rr += 1.0 / (first_rank + 1)

    def figures(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "queries": self.n,
            "recall_at_5": round(self.hits5 / n, 4),
            "mrr_at_10": round(self.rr / n, 4),
        }


def evaluate(kb: KnowledgeBase, queries_path: Path, max_queries: int | None) -> dict[str, object]:
    """Recall@5, MRR@10 (all, tune half, held-out half) and latency over one query file."""
    tallies = {name: Tally() for name in SPLITS}
    times: list[float] = []
    with queries_path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            relevant = set(item["relevant"])
            start = time.perf_counter()
            ids = [h.id for h in kb.search(item["query"], limit=10)]
            times.append((time.perf_counter() - start) * 1000)
            ranks = [i for i, aid in enumerate(ids) if aid in relevant]
            first = ranks[0] if ranks else None
            tallies["all"].add(first)
            tallies[split_of(item["query"])].add(first)
            if max_queries and len(times) >= max_queries:
                break
    times.sort()
    out: dict[str, object] = dict(tallies["all"].figures())
    out["tune"] = tallies["tune"].figures()
    out["heldout"] = tallies["heldout"].figures()
    out["p50_ms"] = round(times[len(times) // 2], 2) if times else 0.0
    out["p95_ms"] = round(times[int(len(times) * 0.95)], 2) if times else 0.0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-queries", type=int, default=None)
    parser.add_argument("--corpus", choices=CORPORA, action="append")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(json.dumps({"skipped": f"{DATA} not found; the quality benchmark needs ../shared/data/kb"}))
        return 0
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in args.corpus or CORPORA:
            kb = KnowledgeBase.open(Path(tmp) / f"{corpus}.sqlite")
            start = time.perf_counter()
            report = kb.import_jsonl(DATA / f"{corpus}_articles.jsonl")
            build_s = time.perf_counter() - start
            figures = evaluate(kb, DATA / f"{corpus}_queries_dev.jsonl", args.max_queries)
            results[corpus] = {"articles": report.imported, "import_s": round(build_s, 2), **figures}
            kb.close()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

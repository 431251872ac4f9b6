"""Search quality on ../shared/data/kb: Recall@5 and MRR@10 per corpus over the dev queries. Prints JSON.

The dev queries are split deterministically by a hash of the query text into a "tune" half (used when choosing
ranking constants) and a "heldout" half (only reported); figures are printed for all queries and for each half.
With --depth N, each query is searched a second time (untimed) for N results and "first_relevant_rank" counts where
the first relevant article lands (ranks 1-5, 6-10, 11-50, 51-N, or beyond N): how many misses a re-ranking of the
top N could still recover, and how many are out of lexical reach (e.g. generic "已转交有关单位" replies).
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
RANK_BOUNDS = (5, 10, 50)  # upper ends of the rank bands below the search depth


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
        self.bands: dict[str, int] = {}

    def add(self, first_rank: int | None) -> None:
        self.n += 1
        if first_rank is not None:
            self.hits5 += first_rank < 5
            self.rr += 1.0 / (first_rank + 1)

    def add_deep(self, first_rank: int | None, depth: int) -> None:
        """Count the band of the first relevant rank (0-based) among the top depth results."""
        band = band_of(first_rank, depth)
        self.bands[band] = self.bands.get(band, 0) + 1

    def figures(self) -> dict[str, object]:
        n = max(self.n, 1)
        out: dict[str, object] = {
            "queries": self.n,
            "recall_at_5": round(self.hits5 / n, 4),
            "mrr_at_10": round(self.rr / n, 4),
        }
        if self.bands:
            out["first_relevant_rank"] = dict(sorted(self.bands.items(), key=lambda kv: _band_start(kv[0])))
        return out


def band_of(first_rank: int | None, depth: int) -> str:
    """'1-5', '6-10', '11-50', '51-<depth>' (cut at depth) or 'beyond <depth>' for a 0-based rank or None."""
    if first_rank is None or first_rank >= depth:
        return f"beyond {depth}"
    low = 1
    for high in (*RANK_BOUNDS, depth):
        if first_rank < high:
            return f"{low}-{min(high, depth)}"
        low = high + 1
    raise AssertionError("unreachable: first_rank < depth")


def _band_start(name: str) -> int:
    """The first rank of a band name ('beyond N' sorts last)."""
    return int(name.split("-")[0]) if name[0].isdigit() else 1 << 30


def first_relevant(ids: list[str], relevant: set[str]) -> int | None:
    """0-based rank of the first relevant id, or None."""
    return next((i for i, aid in enumerate(ids) if aid in relevant), None)


def evaluate(
    kb: KnowledgeBase, queries_path: Path, max_queries: int | None, depth: int = 0
) -> dict[str, object]:
    """Recall@5, MRR@10 (all, tune half, held-out half), latency and, with depth, the rank bands over one query file."""
    tallies = {name: Tally() for name in SPLITS}
    times: list[float] = []
    with queries_path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            relevant = set(item["relevant"])
            start = time.perf_counter()
            ids = [h.id for h in kb.search(item["query"], limit=10)]
            times.append((time.perf_counter() - start) * 1000)
            first = first_relevant(ids, relevant)
            half = split_of(item["query"])
            tallies["all"].add(first)
            tallies[half].add(first)
            if depth:
                deep = first_relevant([h.id for h in kb.search(item["query"], limit=depth)], relevant)
                tallies["all"].add_deep(deep, depth)
                tallies[half].add_deep(deep, depth)
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
    parser.add_argument(
        "--depth", type=int, default=0, help="also count first-relevant rank bands in the top N (at most 200)"
    )
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
            depth = max(0, min(args.depth, 200))
            figures = evaluate(kb, DATA / f"{corpus}_queries_dev.jsonl", args.max_queries, depth)
            results[corpus] = {"articles": report.imported, "import_s": round(build_s, 2), **figures}
            kb.close()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

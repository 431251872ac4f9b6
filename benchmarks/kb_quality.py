"""Search quality on ../shared/data/kb: Recall@5 and MRR@10 per corpus over the dev queries. Prints JSON."""

from __future__ import annotations

import argparse
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


def evaluate(kb: KnowledgeBase, queries_path: Path, max_queries: int | None) -> dict[str, float]:
    """Recall@5, MRR@10 and latency over one query file."""
    hits5 = 0
    rr = 0.0
    n = 0
    times: list[float] = []
    with queries_path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            relevant = set(item["relevant"])
            start = time.perf_counter()
            ids = [h.id for h in kb.search(item["query"], limit=10)]
            times.append((time.perf_counter() - start) * 1000)
            ranks = [i for i, aid in enumerate(ids) if aid in relevant]
            if ranks and ranks[0] < 5:
                hits5 += 1
            if ranks:
                rr += 1.0 / (ranks[0] + 1)
            n += 1
            if max_queries and n >= max_queries:
                break
    times.sort()
    return {
        "queries": n,
        "recall_at_5": round(hits5 / max(n, 1), 4),
        "mrr_at_10": round(rr / max(n, 1), 4),
        "p50_ms": round(times[len(times) // 2], 2) if times else 0.0,
        "p95_ms": round(times[int(len(times) * 0.95)], 2) if times else 0.0,
    }


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

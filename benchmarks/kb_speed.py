"""Knowledge-base speed: query latency on both corpora and on 100,000 articles, build, update, open. Prints JSON.

The fused search (issue 18) is timed beside the lexical one with random unit vectors standing in for the articles'
and the queries' (its cost does not depend on what the vectors mean; kb_quality.py times it with the real ones):
"fused" per corpus and at 100,000 articles, with the time of the first fused query, which reads the vectors.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from knowledge_base import Article, KnowledgeBase  # noqa: E402
from semantic import VectorRecord, encoder_id, pack  # noqa: E402

DIM = 384

DATA = ROOT.parent / "shared" / "data" / "kb"
CORPORA = ("replies", "policy")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2) if ordered else 0.0


def timed_ms(fn, *args, **kw) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args, **kw)
    return (time.perf_counter() - start) * 1000


def load_queries(corpus: str, n: int, rng: random.Random) -> list[str]:
    with (DATA / f"{corpus}_queries_dev.jsonl").open(encoding="utf-8") as fh:
        queries = [json.loads(line)["query"] for line in fh]
    return rng.sample(queries, min(n, len(queries)))


def latency(kb: KnowledgeBase, queries: list[str]) -> dict[str, float]:
    times = [timed_ms(kb.search, q, limit=10) for q in queries]
    return {
        "queries": len(times),
        "p50_ms": pct(times, 0.5),
        "p95_ms": pct(times, 0.95),
        "max_ms": pct(times, 1.0),
    }


def random_vectors(kb: KnowledgeBase, ids: list[str], rng: np.random.Generator) -> None:
    """Store a random unit vector (as the running encoder's) for each article id, version 1 (a fresh import)."""
    encoder = encoder_id()
    rows = []
    for aid in ids:
        v = rng.standard_normal(DIM).astype(np.float32)
        rows.append((aid, 1, VectorRecord(encoder, DIM, pack(v / np.linalg.norm(v)))))
    kb.set_vectors(rows)


def fused_latency(kb: KnowledgeBase, queries: list[str], rng: np.random.Generator) -> dict[str, float]:
    vectors = rng.standard_normal((len(queries), DIM)).astype(np.float32)
    first = timed_ms(kb.search, queries[0], limit=10, query_vector=vectors[0])  # reads the vector matrix
    times = [timed_ms(kb.search, q, limit=10, query_vector=v) for q, v in zip(queries, vectors, strict=True)]
    return {"first_query_ms": round(first, 2), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": pct(times, 1.0)}


def article_ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


def scaled_corpus(path: Path, target: int) -> int:
    """Write target articles made from both corpora, rotated per copy so texts and ids vary."""
    base: list[dict[str, str]] = []
    for corpus in CORPORA:
        with (DATA / f"{corpus}_articles.jsonl").open(encoding="utf-8") as fh:
            base.extend(json.loads(line) for line in fh)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        copy = 0
        while written < target:
            for item in base:
                body = item["body"]
                cut = (copy * 7) % max(len(body), 1)
                record = {
                    "id": f"{item['id']}-{copy}",
                    "title": item.get("title", ""),
                    "body": body[cut:] + body[:cut],
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
                if written >= target:
                    break
            copy += 1
    return written


def main() -> int:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of *_articles.jsonl and *_queries_dev.jsonl")
    args = parser.parse_args()
    DATA = args.data
    if not DATA.is_dir():
        print(json.dumps({"skipped": f"{DATA} not found; the speed benchmark needs ../shared/data/kb"}))
        return 0
    rng = random.Random(12345)
    vec_rng = np.random.default_rng(12345)
    result: dict[str, object] = {}
    queries = {c: load_queries(c, args.queries, rng) for c in CORPORA}
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in CORPORA:
            with KnowledgeBase.open(Path(tmp) / f"{corpus}.sqlite") as kb:
                kb.import_jsonl(DATA / f"{corpus}_articles.jsonl")
                result[corpus] = latency(kb, queries[corpus])
                random_vectors(kb, article_ids(DATA / f"{corpus}_articles.jsonl"), vec_rng)
                result[corpus]["fused"] = fused_latency(kb, queries[corpus], vec_rng)  # type: ignore[index]
        big_path = Path(tmp) / "big.sqlite"
        src = Path(tmp) / "big.jsonl"
        count = scaled_corpus(src, args.articles)
        with KnowledgeBase.open(big_path) as kb:
            start = time.perf_counter()
            kb.import_jsonl(src)
            build_s = time.perf_counter() - start
            mixed = queries["replies"][: args.queries // 2] + queries["policy"][: args.queries // 2]
            big = latency(kb, mixed)
            case_text = "".join(queries["replies"])[:5000]
            suggest = [timed_ms(kb.suggest, case_text[i:] + case_text[:i]) for i in range(0, 200, 10)]
            updates = []
            for i in range(20):
                article = Article(
                    id=f"r{2549 + i}-0", title=f"更新的文章{i}", body="物业管理问题的最新答复。" * 20
                )
                updates.append(timed_ms(kb.upsert, article))
            after_update = latency(kb, mixed[:100])
            compact_ms = timed_ms(kb.maybe_compact, 1)
            start = time.perf_counter()
            random_vectors(kb, article_ids(src), vec_rng)
            store_vectors_s = time.perf_counter() - start
            fused = fused_latency(kb, mixed, vec_rng)
        start = time.perf_counter()
        reader = KnowledgeBase.open(big_path, readonly=True)
        open_ms = (time.perf_counter() - start) * 1000
        first_ms = timed_ms(reader.search, "医保报销")
        reader.close()
        result["scaled"] = {
            "articles": count,
            "build_s": round(build_s, 1),
            "file_mb": round(big_path.stat().st_size / 1e6, 1),
            **big,
            "suggest_5000_chars_p95_ms": pct(suggest, 0.95),
            "upsert_p50_ms": pct(updates, 0.5),
            "upsert_max_ms": pct(updates, 1.0),
            "p95_ms_with_20_pending_updates": after_update["p95_ms"],
            "compact_ms": round(compact_ms, 1),
            "store_vectors_s": round(store_vectors_s, 1),
            "fused": fused,
            "vector_matrix_mb": round(count * DIM * 4 / 1e6, 1),
            "open_readonly_ms": round(open_ms, 2),
            "first_query_ms": round(first_ms, 2),
        }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

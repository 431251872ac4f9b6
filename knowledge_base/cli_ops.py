"""Operations behind `operator-app kb ...`: plain functions returning JSON-ready values (each opens its own connection)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TextIO

from knowledge_base.kb import KnowledgeBase
from knowledge_base.model import SearchHit


def _hit_dict(hit: SearchHit) -> dict[str, object]:
    return {
        "id": hit.id,
        "score": hit.score,
        "title": hit.title,
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "expired": hit.expired,
        "version": hit.version,
    }


def import_file(kb_path: Path | str, jsonl_path: Path | str) -> dict[str, object]:
    """Import a JSONL file into the index at kb_path; returns counts and the rejected lines."""
    with KnowledgeBase.open(kb_path) as kb:
        start = time.perf_counter()
        report = kb.import_jsonl(jsonl_path)
        result = report.to_dict()
        result["elapsed_s"] = round(time.perf_counter() - start, 3)
        result["articles"] = kb.count()
    return result


def search_json(kb_path: Path | str, query: str, limit: int = 10) -> dict[str, object]:
    """One search as a JSON-ready dict: {query, results:[{id, score, title, snippet, ...}], elapsed_ms}."""
    with KnowledgeBase.open(kb_path, readonly=True) as kb:
        start = time.perf_counter()
        hits = kb.search(query, limit=limit)
        elapsed = (time.perf_counter() - start) * 1000
    return {"query": query, "results": [_hit_dict(h) for h in hits], "elapsed_ms": round(elapsed, 2)}


def search_batch(kb_path: Path | str, in_path: Path | str, out_stream: TextIO, limit: int = 10) -> int:
    """For each input line {query} write {query, results:[{id, score}], elapsed_ms}; returns lines written.

    A line that holds no usable query gets {line, error} in its place, and the rest of the batch is answered.
    """
    written = 0
    with KnowledgeBase.open(kb_path, readonly=True) as kb, Path(in_path).open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            query, problem = _batch_query(raw, first=number == 1)
            if query is None:
                record: dict[str, object] = {"line": number, "error": problem}
            else:
                start = time.perf_counter()
                hits = kb.search(query, limit=limit)
                elapsed = (time.perf_counter() - start) * 1000
                results = [{"id": h.id, "score": h.score} for h in hits]
                record = {"query": query, "results": results, "elapsed_ms": round(elapsed, 2)}
            out_stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def _batch_query(raw: bytes, *, first: bool) -> tuple[str | None, str]:
    """The query of one batch line, or None and the reason it has none."""
    try:
        line = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    try:
        item = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        return None, f"not valid JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else 'nested too deeply'})"
    query = item.get("query") if isinstance(item, dict) else None
    if not isinstance(query, str):
        return None, 'no query: the line must be an object {"query": "text"}'
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape such as "\\ud800": no text to search or print
        return None, "the query is not valid Unicode text (it holds a lone surrogate escape such as \\ud800)"
    return query, ""

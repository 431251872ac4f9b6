"""Scoring over the SQLite postings with numpy; one Searcher per connection, so per thread."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from knowledge_base.model import format_time
from knowledge_base.query import QueryPlan

EXPIRED_FACTOR = 0.5
IDF_EXPONENT = 1.5  # sharpen BM25's idf: rare, specific terms (names, places) decide more than common ones
MIN_IDF = 0.01  # stale postings can make df exceed the live count; a matching term still counts a little
MAX_TERMS_SHORT = 64
MAX_TERMS_LONG = 48
_CHUNK = 900


@dataclass(frozen=True)
class Filters:
    """Restrictions applied after scoring."""

    now: datetime
    current_only: bool = True
    category: str | None = None
    department: str | None = None


def _chunks(items: Sequence[int]) -> list[Sequence[int]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def idf(n_docs: int, df: int) -> float:
    """BM25 inverse document frequency raised to IDF_EXPONENT; at least MIN_IDF."""
    return max(math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)), MIN_IDF) ** IDF_EXPONENT


class Searcher:
    """Reads postings through one connection; caches the dead-docno set until the database changes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._data_version: int | None = None
        self._dead = np.zeros(0, dtype=np.int64)
        self._n_docs = 0
        self._has_delta = False

    def invalidate(self) -> None:
        """Forget cached state (call after writing through the same connection)."""
        self._data_version = None

    def _refresh(self) -> None:
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        if version == self._data_version:
            return
        self._dead = np.array([r[0] for r in self.conn.execute("SELECT docno FROM dead")], dtype=np.int64)
        self._n_docs = int(self.conn.execute("SELECT count(*) FROM articles WHERE retired = 0").fetchone()[0])
        self._has_delta = self.conn.execute("SELECT 1 FROM delta_docs LIMIT 1").fetchone() is not None
        self._data_version = version

    def _document_frequencies(self, terms: list[int]) -> dict[int, int]:
        df: dict[int, int] = {}
        for chunk in _chunks(terms):
            marks = _marks(len(chunk))
            for term, n in self.conn.execute(f"SELECT term, df FROM postings WHERE term IN ({marks})", chunk):
                df[term] = n
            if self._has_delta:
                sql = f"SELECT term, count(*) FROM delta WHERE term IN ({marks}) GROUP BY term"
                for term, n in self.conn.execute(sql, chunk):
                    df[term] = df.get(term, 0) + n
        return df

    def _postings(self, terms: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        marks = _marks(len(terms))
        for term, docs, ws in self.conn.execute(
            f"SELECT term, docnos, weights FROM postings WHERE term IN ({marks})", terms
        ):
            out[term] = (
                np.frombuffer(docs, dtype=np.int32),
                np.frombuffer(ws, dtype=np.float16).astype(np.float32),
            )
        if self._has_delta:
            rows = self.conn.execute(
                f"SELECT term, docno, weight FROM delta WHERE term IN ({marks}) ORDER BY term", terms
            ).fetchall()
            by_term: dict[int, list[tuple[int, float]]] = {}
            for term, docno, weight in rows:
                by_term.setdefault(term, []).append((docno, weight))
            for term, pairs in by_term.items():
                d = np.array([p[0] for p in pairs], dtype=np.int32)
                w = np.array([p[1] for p in pairs], dtype=np.float32)
                if term in out:
                    d = np.concatenate([out[term][0], d])
                    w = np.concatenate([out[term][1], w])
                out[term] = (d, w)
        return out

    def select_terms(self, plan: QueryPlan, max_terms: int) -> dict[int, float]:
        """Query weight (multiplier x idf) of the most informative terms present in the index."""
        self._refresh()
        df = self._document_frequencies(list(plan.multipliers))
        n = max(self._n_docs, 1)
        weights = {term: mult * idf(n, df[term]) for term, mult in plan.multipliers.items() if df.get(term)}
        if len(weights) > max_terms:
            weights = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:max_terms])
        return weights

    def scores(self, query_weights: dict[int, float]) -> np.ndarray:
        """Score of every docno (index = docno); zero where nothing matched or the docno is dead."""
        if not query_weights:
            return np.zeros(0, dtype=np.float32)
        postings = self._postings(list(query_weights))
        docs = [d for d, _ in postings.values()]
        contrib = [w * np.float32(query_weights[t]) for t, (_, w) in postings.items()]
        if not docs:
            return np.zeros(0, dtype=np.float32)
        scores = np.bincount(np.concatenate(docs), weights=np.concatenate(contrib)).astype(np.float32)
        dead = self._dead[self._dead < scores.size]
        scores[dead] = 0.0
        return scores

    def _docnos(self, sql: str, params: Sequence[object], size: int) -> np.ndarray:
        found = np.array([r[0] for r in self.conn.execute(sql, params)], dtype=np.int64)
        return found[found < size]

    def apply_filters(self, scores: np.ndarray, filters: Filters) -> tuple[np.ndarray, set[int]]:
        """Hide future-dated (and, for current_only, expired) docnos, rank down expired ones; returns expired set."""
        if scores.size == 0:
            return scores, set()
        now = format_time(filters.now)
        size = scores.size
        scores[self._docnos("SELECT docno FROM articles WHERE effective_from > ?", (now,), size)] = 0.0
        expired = self._docnos("SELECT docno FROM articles WHERE expires_at <= ?", (now,), size)
        scores[expired] *= 0.0 if filters.current_only else EXPIRED_FACTOR
        if filters.category or filters.department:
            clauses, params = [], []
            if filters.category:
                clauses.append("(category = ? OR category LIKE ? ESCAPE '\\')")
                escaped = filters.category.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                params += [filters.category, escaped.rstrip("/") + "/%"]
            if filters.department:
                clauses.append("EXISTS (SELECT 1 FROM json_each(articles.departments) WHERE value = ?)")
                params.append(filters.department)
            allowed = self._docnos(f"SELECT docno FROM articles WHERE {' AND '.join(clauses)}", params, size)
            mask = np.zeros(size, dtype=bool)
            mask[allowed] = True
            scores[~mask] = 0.0
        return scores, set(expired.tolist())

    @staticmethod
    def top(scores: np.ndarray, limit: int) -> list[int]:
        """Docnos of the best scores, best first; ties by docno."""
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > limit:
            part = np.argpartition(-scores[candidates], limit - 1)[:limit]
            candidates = np.sort(candidates[part])
        order = np.argsort(-scores[candidates], kind="stable")
        return candidates[order].tolist()

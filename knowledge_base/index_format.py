"""Version of the stored term weights: a file indexed with other weights is re-indexed when opened for writing."""

from __future__ import annotations

import sqlite3

from knowledge_base.schema import get_meta, set_meta

# Bump whenever analysis.py changes what is stored in postings (fields, BM25 k1/b, n-grams).
# 1: title/meta/body, k1 1.2, b 0.75 (files written before this key existed have no value and count as 1).
# 2: adds the body's opening as a field, k1 1.0, b 0.85.
INDEX_FORMAT = "2"
META_KEY = "index_format"


def stored_format(conn: sqlite3.Connection) -> str:
    """The format the file's postings were written in ('1' for files older than the key)."""
    return get_meta(conn, META_KEY, "1")


def mark_current(conn: sqlite3.Connection) -> None:
    """Record that the postings are in INDEX_FORMAT (inside the caller's transaction, or on its own)."""
    set_meta(conn, META_KEY, INDEX_FORMAT)


def ensure_current(conn: sqlite3.Connection) -> bool:
    """Re-index a file written in an older format (read-write connections only); True if it was rebuilt.

    A fresh, empty file is just marked. Readers of a stale file still get results, ranked with the old weights.
    """
    if stored_format(conn) == INDEX_FORMAT:
        return False
    if conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None:
        mark_current(conn)
        return False
    from knowledge_base.index_writer import rebuild

    rebuild(conn)  # marks the format in its own transaction
    return True

"""SQLite layout of the local index and connection setup (one connection per thread; WAL lets readers run beside the writer)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles (
    docno INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    departments TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    effective_from TEXT,
    expires_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    owner TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    retired INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_effective ON articles(effective_from) WHERE effective_from IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_expires ON articles(expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_category ON articles(category);
-- main segment: one row per term, docnos int32 and BM25 term weights float16, ascending docno
CREATE TABLE IF NOT EXISTS postings (
    term INTEGER PRIMARY KEY, df INTEGER NOT NULL, docnos BLOB NOT NULL, weights BLOB NOT NULL
);
-- recent upserts not yet merged into the main segment
CREATE TABLE IF NOT EXISTS delta (
    term INTEGER NOT NULL, docno INTEGER NOT NULL, weight REAL NOT NULL, PRIMARY KEY (term, docno)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delta_docno ON delta(docno);
CREATE TABLE IF NOT EXISTS delta_docs (docno INTEGER PRIMARY KEY);
-- docnos whose postings are stale (replaced, retired or deleted) until the next rebuild
CREATE TABLE IF NOT EXISTS dead (docno INTEGER PRIMARY KEY);
-- sentence vectors made on the server (semantic/), one per article; used only while `version` is the article's
CREATE TABLE IF NOT EXISTS vectors (
    article_id TEXT PRIMARY KEY, version INTEGER NOT NULL, encoder TEXT NOT NULL, dim INTEGER NOT NULL,
    data BLOB NOT NULL
) WITHOUT ROWID;
"""


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection for the calling thread; the read-write one creates the schema."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA cache_size = -32000")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    return conn


def get_meta(conn: sqlite3.Connection, key: str, default: str) -> str:
    """One value from the meta table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    """Set one meta value (inside the caller's transaction)."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))

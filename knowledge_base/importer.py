"""JSONL import: validate each line, report bad ones by line number, load the rest (writer thread only)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from contract.kb_article import Article, parse_article
from knowledge_base.index_writer import ROW_COLUMNS, article_row, compact, rebuild, upsert_article
from knowledge_base.model import ImportIssue, ImportReport

if TYPE_CHECKING:
    from knowledge_base.kb import KnowledgeBase

BULK_THRESHOLD = 200  # at least this many articles: write rows, then rebuild the whole index


def read_articles(path: Path, report: ImportReport, *, owner: str = "") -> list[Article]:
    """Parse every line; bad lines go into report.issues. Later lines win for a repeated id."""
    articles: dict[str, Article] = {}
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                report.issues.append(ImportIssue(number, "not UTF-8 text"))
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                report.issues.append(ImportIssue(number, f"not valid JSON ({reason})"))
                continue
            try:
                article = parse_article(obj, owner=owner)
            except ValueError as exc:
                report.issues.append(ImportIssue(number, str(exc)))
                continue
            articles.pop(article.id, None)
            articles[article.id] = article
    return list(articles.values())


def _bulk_write(conn: sqlite3.Connection, articles: list[Article], report: ImportReport) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for article in articles:
            old = conn.execute("SELECT docno, version FROM articles WHERE id = ?", (article.id,)).fetchone()
            if old:
                conn.execute("DELETE FROM articles WHERE docno = ?", (old[0],))
                report.updated += 1
            else:
                report.added += 1
            version = article.version if article.version is not None else (old[1] + 1 if old else 1)
            conn.execute(
                f"INSERT INTO articles ({ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                article_row(article, version),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    rebuild(conn)


def import_file(kb: KnowledgeBase, path: Path, *, owner: str = "") -> ImportReport:
    """Load a JSONL file into kb; small files go through the delta segment, large ones rebuild the index."""
    conn: sqlite3.Connection = kb._conn
    report = ImportReport()
    articles = read_articles(path, report, owner=owner)
    if len(articles) >= BULK_THRESHOLD:
        _bulk_write(conn, articles, report)
        return report
    for article in articles:
        _, replaced = upsert_article(conn, article)
        if replaced:
            report.updated += 1
        else:
            report.added += 1
    if articles:
        compact(conn)
    return report

"""JSONL import: validate each line, report bad ones by line number, load the rest (writer thread only)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge_base.index_writer import ROW_COLUMNS, article_row, compact, rebuild, upsert_article
from knowledge_base.model import Article, ImportIssue, ImportReport, parse_time

if TYPE_CHECKING:
    from knowledge_base.kb import KnowledgeBase

BULK_THRESHOLD = 200  # at least this many articles: write rows, then rebuild the whole index
MAX_ID_CHARS = 200


def _text_list(value: object, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.replace("，", ",").replace("、", ",").split(",")
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise ValueError(f"'{name}' must be a list of texts")


def parse_article(obj: object, *, owner: str = "") -> Article:
    """An Article from one decoded JSON line; ValueError with a plain reason when unusable."""
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    raw_id = obj.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ValueError("missing 'id'")
    if len(raw_id) > MAX_ID_CHARS:
        raise ValueError("'id' is too long")
    title, body = obj.get("title", ""), obj.get("body", "")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise ValueError("'title' must be text")
    if not isinstance(body, str):
        raise ValueError("'body' must be text" if body is not None else "missing 'body'")
    if not title.strip() and not body.strip():
        raise ValueError("both 'title' and 'body' are empty")
    category = obj.get("category") or ""
    if not isinstance(category, str):
        raise ValueError("'category' must be text")
    version = obj.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        raise ValueError("'version' must be a positive whole number")
    times = {}
    for key in ("effective_from", "expires_at", "updated_at"):
        try:
            times[key] = parse_time(obj.get(key))
        except ValueError as exc:
            raise ValueError(f"'{key}': {exc}") from None
    eff, exp = times["effective_from"], times["expires_at"]
    if eff and exp and exp <= eff:
        raise ValueError("'expires_at' is not after 'effective_from'")
    item_owner = obj.get("owner") or owner
    return Article(
        id=raw_id.strip(),
        title=title.strip(),
        body=body,
        category=category.strip().strip("/"),
        departments=_text_list(obj.get("departments"), "departments"),
        keywords=_text_list(obj.get("keywords"), "keywords"),
        effective_from=eff,
        expires_at=exp,
        version=version,
        owner=item_owner if isinstance(item_owner, str) else "",
        updated_at=times["updated_at"],
        retired=bool(obj.get("retired", False)),
    )


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

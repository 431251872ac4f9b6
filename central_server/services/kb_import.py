"""`central-server kb import FILE.jsonl`: the seat importer's line format, bad lines reported by number.

Lines are parsed by contract.kb_article.parse_article (the same format as `operator-app kb import`), then
checked like the editor API. An unchanged article adds no version; a retired one is not revived. One transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server.core.errors import ServerError
from central_server.db.models import KbArticle
from central_server.services.kb import (
    ArticleContent,
    add_version,
    check_id,
    city_now,
    clean_content,
    content_of,
    current_version,
    new_article,
)
from contract.kb_article import parse_article

IMPORT_EDITOR = "import"


@dataclass
class KbImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [{"line": n, "reason": r} for n, r in self.errors]}


@dataclass(frozen=True)
class _Line:
    number: int
    article_id: str
    content: ArticleContent
    updated_at: datetime | None


def read_lines(path: Path, report: KbImportReport, *, owner: str) -> list[_Line]:
    """Every usable line (later lines win for a repeated id); the others go to report.errors."""
    found: dict[str, _Line] = {}
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                report.errors.append((number, "not UTF-8 text"))
                continue
            if not text.strip():
                continue
            try:
                a = parse_article(json.loads(text), owner=owner)
                content = clean_content(ArticleContent(
                    title=a.title, body=a.body, category=a.category, departments=a.departments,
                    keywords=a.keywords, effective_from=a.effective_from, expires_at=a.expires_at, owner=a.owner))
                line = _Line(number, check_id(a.id), content, a.updated_at)
            except json.JSONDecodeError as exc:
                report.errors.append((number, f"not valid JSON ({exc.msg})"))
                continue
            except RecursionError:
                report.errors.append((number, "not valid JSON (nested too deeply)"))
                continue
            except ValueError as exc:
                report.errors.append((number, str(exc)))
                continue
            except ServerError as exc:
                report.errors.append((number, exc.message))
                continue
            found.pop(line.article_id, None)
            found[line.article_id] = line
    return list(found.values())


def import_file(session: Session, path: Path, *, timezone: ZoneInfo, owner: str = "") -> KbImportReport:
    """Import a JSONL file in one transaction and commit; returns counts and the refused lines."""
    report = KbImportReport()
    lines = read_lines(path, report, owner=owner)
    now = city_now(timezone)
    for line in lines:
        article = session.get(KbArticle, line.article_id, with_for_update=True)
        if article is None:
            article = new_article(session, line.article_id)
            report.added += 1
        elif article.retired:
            report.errors.append((line.number, f"article {line.article_id} is retired on the server; "
                                               "it was not imported again"))
            continue
        elif content_of(current_version(session, article)) == line.content:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        add_version(session, article, line.content, updated_at=line.updated_at or now, edited_by=IMPORT_EDITOR)
    session.commit()
    report.errors.sort()
    return report

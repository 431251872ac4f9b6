"""Conversions between article rows and Article values (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from contract.kb_article import Article
from knowledge_base.model import load_time


def row_to_article(row: Sequence[object]) -> Article:
    """An Article from values in index_writer.ROW_COLUMNS order."""
    (aid, title, body, category, departments, keywords, eff, exp, version, owner, updated, retired) = row
    return Article(
        id=str(aid),
        title=str(title),
        body=str(body),
        category=str(category),
        departments=tuple(json.loads(str(departments))),
        keywords=tuple(json.loads(str(keywords))),
        effective_from=load_time(eff if eff is None else str(eff)),
        expires_at=load_time(exp if exp is None else str(exp)),
        version=int(version),  # type: ignore[call-overload]
        owner=str(owner),
        updated_at=load_time(updated if updated is None else str(updated)),
        retired=bool(retired),
    )

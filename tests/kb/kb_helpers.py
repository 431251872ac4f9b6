"""Shared helpers for knowledge-base tests (paths, a fixed 'now', article factory)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from knowledge_base import Article

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "kb" / "demo_articles.jsonl"
SHARED_KB = ROOT.parent / "shared" / "data" / "kb"
NOW = datetime(2025, 6, 1, 12, 0, 0)


def make(aid: str, title: str, body: str = "", **kw: object) -> Article:
    """A test article; body defaults to the title."""
    return Article(id=aid, title=title, body=body or title, **kw)  # type: ignore[arg-type]

"""Fixtures for knowledge-base tests: an empty index and one loaded with the shipped demo articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kb_helpers import DEMO

from knowledge_base import KnowledgeBase


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase.open(tmp_path / "kb.sqlite")
    yield base
    base.close()


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The demo articles, imported once; tests using it must only read."""
    base = KnowledgeBase.open(tmp_path_factory.mktemp("demo") / "kb.sqlite")
    report = base.import_jsonl(DEMO)
    assert not report.issues
    yield base
    base.close()

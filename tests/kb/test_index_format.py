"""Index format changes: a seat's existing kb.sqlite keeps working and is re-indexed when opened for writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase
from knowledge_base.index_format import INDEX_FORMAT, META_KEY


def _meta(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def _make_legacy(path: Path) -> None:
    """A file as the previous version wrote it: no format key, postings with other weights."""
    with KnowledgeBase.open(path) as kb:
        kb.upsert(make("a", "停水通知", "管网维修停水"))
        kb.upsert(make("b", "路灯报修", "路灯不亮"))
        kb.maybe_compact(threshold=1)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
    conn.execute("UPDATE postings SET weights = zeroblob(length(weights))")  # old weights: all different
    conn.commit()
    conn.close()


def test_fresh_file_is_marked_current(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    KnowledgeBase.open(path).close()
    assert _meta(path) == INDEX_FORMAT


def test_legacy_file_is_rebuilt_on_read_write_open(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    _make_legacy(path)
    assert _meta(path) is None
    with KnowledgeBase.open(path) as kb:
        assert [h.id for h in kb.search("停水", now=NOW)] == ["a"]
        assert kb.search("停水", now=NOW)[0].score > 0
        assert kb.count() == 2 and kb.get("b") is not None
    assert _meta(path) == INDEX_FORMAT


def test_legacy_file_stays_readable_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    _make_legacy(path)
    with KnowledgeBase.open(path, readonly=True) as reader:
        assert reader.count() == 2
        reader.search("停水", now=NOW)  # old weights: no error, whatever the ranking
    assert _meta(path) is None  # a reader never migrates


def test_current_file_is_not_rebuilt_again(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    with KnowledgeBase.open(path) as kb:
        kb.upsert(make("a", "垃圾分类", "垃圾分类投放"))
    with KnowledgeBase.open(path) as kb:
        # an un-compacted upsert is still in the delta segment: a rebuild would have merged it
        assert kb._conn.execute("SELECT count(*) FROM delta_docs").fetchone()[0] == 1
        assert [h.id for h in kb.search("垃圾", now=NOW)] == ["a"]

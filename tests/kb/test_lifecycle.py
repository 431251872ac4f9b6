"""Article life: versions, expiry, future dates, retire and delete, incremental updates, compaction."""

from __future__ import annotations

import threading
from datetime import datetime

from kb_helpers import NOW, make

from knowledge_base import KnowledgeBase


def test_upsert_is_searchable_at_once_and_replaces_old_text(kb: KnowledgeBase) -> None:
    assert kb.upsert(make("a", "停水通知", "管网维修停水")) == 1
    assert [h.id for h in kb.search("停水", now=NOW)] == ["a"]
    assert kb.upsert(make("a", "路灯报修", "路灯不亮")) == 2
    assert kb.search("管网", now=NOW) == []
    hit = kb.search("路灯", now=NOW)[0]
    assert (hit.id, hit.version) == ("a", 2)


def test_expired_articles_are_flagged_and_ranked_down(kb: KnowledgeBase) -> None:
    kb.upsert(make("old", "供暖时间", "供暖时间延长", expires_at=datetime(2024, 3, 1)))
    kb.upsert(make("new", "供暖时间调整", "供暖时间"))
    assert [h.id for h in kb.search("供暖时间", now=NOW)] == ["new"]
    hits = kb.search("供暖时间", now=NOW, current_only=False)
    assert [h.id for h in hits] == ["new", "old"]
    assert [h.expired for h in hits] == [False, True]


def test_future_dated_articles_stay_hidden_until_effective(kb: KnowledgeBase) -> None:
    kb.upsert(make("f", "公积金贷款额度调整", effective_from=datetime(2030, 1, 1)))
    assert kb.search("公积金", now=NOW) == []
    assert kb.search("公积金", now=NOW, current_only=False) == []
    assert [h.id for h in kb.search("公积金", now=datetime(2030, 1, 2))] == ["f"]


def test_retire_and_delete_remove_from_search(kb: KnowledgeBase) -> None:
    kb.upsert(make("a", "低保申请条件"))
    kb.upsert(make("b", "低保审批时限"))
    assert kb.retire("a") is True
    assert [h.id for h in kb.search("低保", now=NOW)] == ["b"]
    article = kb.get("a")
    assert article is not None and article.retired
    assert kb.delete("b") is True
    assert kb.search("低保", now=NOW) == [] and kb.get("b") is None
    assert kb.retire("missing") is False


def test_compaction_and_rebuild_keep_results(kb: KnowledgeBase) -> None:
    for i in range(30):
        kb.upsert(make(f"a{i}", f"物业费第{i}条", "物业服务收费"))
    kb.upsert(make("a3", "停车位", "小区停车"))
    before = [h.id for h in kb.search("物业费", limit=50, now=NOW)]
    assert kb.maybe_compact(threshold=1)
    assert [h.id for h in kb.search("物业费", limit=50, now=NOW)] == before
    kb.rebuild()
    assert sorted(h.id for h in kb.search("物业费", limit=50, now=NOW)) == sorted(before)
    assert "a3" not in before and [h.id for h in kb.search("停车位", now=NOW)] == ["a3"]


def test_reader_in_another_thread_sees_writes(tmp_path) -> None:
    path = tmp_path / "kb.sqlite"
    writer = KnowledgeBase.open(path)
    writer.upsert(make("a", "垃圾分类"))
    results: list[list[str]] = []
    first_read, writer_done = threading.Event(), threading.Event()

    def read() -> None:
        with KnowledgeBase.open(path, readonly=True) as reader:
            results.append([h.id for h in reader.search("垃圾", now=NOW)])
            first_read.set()
            writer_done.wait(5)
            results.append([h.id for h in reader.search("垃圾", now=NOW)])

    thread = threading.Thread(target=read)
    thread.start()
    assert first_read.wait(5)
    writer.upsert(make("b", "垃圾清运"))
    writer_done.set()
    thread.join()
    writer.close()
    assert results[0] == ["a"] and sorted(results[1]) == ["a", "b"]

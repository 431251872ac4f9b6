"""The desk's knowledge-base panels with the sentence encoder: the badge says which search is in use, the fused
ranking replaces the lexical list without moving what the operator is working on, suggestions use the case text's
vector, and a seat without the encoder searches lexically and says so."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from contract.kb_article import Article
from tests.ui.conftest import type_chinese
from ui.kb import backend as kb_backend
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow

# Short articles written for these tests: the noise article shares no words with the query below, only meaning.
ARTICLES = [
    ("t-noise", "建筑施工噪声的管理", "22时至次日6时禁止在居民区附近进行产生噪声的建筑作业，违者由城管执法部门查处。"),
    ("t-water", "停水后供水抢修", "遇到突发停水，先查看供水企业发布的公告；没有公告的由供水企业派员抢修。"),
    ("t-pension", "灵活就业人员参加养老保险", "灵活就业人员可在社保经办窗口登记，按月缴纳基本养老保险费。"),
    ("t-dog", "犬只登记与文明养犬", "养犬人应为犬只办理登记并按时免疫，携犬出户须束犬链。"),
    ("t-heat", "冬季供暖温度不达标", "供暖期室温应不低于18摄氏度，不达标的可向供热企业报修。"),
    ("t-school", "小学入学报名办法", "适龄儿童按户籍和居住地所在学区报名，报名材料包括户口簿和房产证明。"),
    ("t-park", "小区停车收费标准", "住宅小区停车服务收费实行政府指导价，业主可向物业查询收费依据。"),
    ("t-tax", "个人所得税专项附加扣除", "子女教育、赡养老人等专项附加扣除可在个人所得税应用中填报。"),
]
QUERY = "半夜楼下工地吵得睡不着觉"
CONTENT = "我家附近的工地每天夜里都在干活，机器轰隆隆的，孩子根本没法睡觉，希望有人来管一管。"


def build_kb(path: Path, encoder: object | None) -> None:
    from knowledge_base import KnowledgeBase
    from semantic import VectorRecord, article_passage, pack

    with KnowledgeBase.open(path) as kb:
        for article_id, title, body in ARTICLES:
            version = kb.upsert(Article(id=article_id, title=title, body=body, category="测试/语义"))
            if encoder is not None:
                vec = encoder.passage(article_passage(title, body))  # type: ignore[attr-defined]
                kb.set_vector(article_id, version, VectorRecord(encoder.id, encoder.dim, pack(vec)))  # type: ignore[attr-defined]


def open_desk(qtbot, controller: DeskController) -> DeskWindow:  # type: ignore[no-untyped-def]
    controller.show_login()
    controller.login("1001")
    desk = controller.desk
    assert desk is not None
    qtbot.addWidget(desk)
    desk.resize(1280, 720)
    desk.show()
    qtbot.waitExposed(desk)
    qtbot.waitUntil(lambda: desk.ready, timeout=5000)
    return desk


@pytest.fixture
def semantic_desk(qtbot, controller: DeskController, encoder) -> Iterator[DeskWindow]:  # type: ignore[no-untyped-def]
    """A desk whose knowledge base carries the articles' vectors, with the encoder loaded by the desk."""
    build_kb(controller.seat.data_dir / "kb.sqlite", encoder)
    desk = open_desk(qtbot, controller)
    bridge = desk._intake_page.semantic
    qtbot.waitUntil(lambda: bridge.ready and desk.kb.search.vectors_in_kb == len(ARTICLES), timeout=10000)
    yield desk


def ids(panel) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in panel.model.hits]


def expected(desk: DeskWindow, query: str, encoder: object | None) -> list[str]:
    """What the knowledge base itself answers, lexically or fused, for the panel's request."""
    from semantic import query_text

    request = kb_backend.SearchRequest(query=query, limit=20)
    vec = encoder.query(query_text(query)) if encoder is not None else None  # type: ignore[attr-defined]
    return [h.id for h in kb_backend.search(desk.kb.path, request, query_vector=vec)]


def test_badge_says_semantic_and_the_fused_list_replaces_the_lexical_one(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    desk = semantic_desk
    panel = desk.kb.search
    assert panel.mode.isVisible() and panel.mode.text() == "语义检索"
    assert desk._intake_page.semantic.status() == "语义检索"
    lexical, fused = expected(desk, QUERY, None), expected(desk, QUERY, encoder)
    # the noise article shares no words with the query, only its meaning: the vector lifts it to the top
    assert fused != lexical and "t-noise" in fused[:2] and lexical[:1] != ["t-noise"]
    desk.focus_kb_search()
    with encoder._lock:  # the encoder is busy: the pause in typing ends before the query's vector is ready
        with qtbot.waitSignal(panel.searched, timeout=10000):
            type_chinese(panel.search, QUERY)
        assert ids(panel) == lexical and panel.status.text().startswith(f"{len(lexical)} 篇")
    with qtbot.waitSignal(panel.reranked, timeout=10000):
        pass
    assert ids(panel) == fused
    assert panel.results.currentIndex().row() == 0 and panel.current_hit().id == fused[0]
    # the fused list fills up with the nearest articles by meaning: the count says so, not "found"
    assert panel.status.text().startswith(f"最接近 {len(fused)} 篇")


def test_a_vector_ready_when_the_pause_ends_makes_the_fused_list_the_first_one(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    desk = semantic_desk
    panel = desk.kb.search
    panel._debounce.setInterval(1500)  # a slow typist's pause: the query's vector is surely there by its end
    shown: list[tuple[str, list[str]]] = []
    panel.searched.connect(lambda: shown.append((panel.ranking, ids(panel))))
    desk.focus_kb_search()
    with qtbot.waitSignal(panel.reranked, timeout=10000):
        type_chinese(panel.search, QUERY)
    assert shown == [("fused", expected(desk, QUERY, encoder))]  # no lexical list came first: nothing replaced


def test_fused_list_never_moves_rows_under_the_operator(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    desk = semantic_desk
    panel = desk.kb.search
    query = "供暖不热孩子上学"
    lexical = expected(desk, query, None)
    assert len(lexical) >= 2
    desk.focus_kb_search()
    with encoder._lock:
        with qtbot.waitSignal(panel.searched, timeout=10000):
            type_chinese(panel.search, query)
        QTest.keyClick(panel.search, Qt.Key.Key_Down)  # the operator moves to the second result
        chosen = panel.current_hit().id
    with qtbot.waitSignal(panel.reranked, timeout=10000):
        pass
    assert ids(panel)[:len(lexical)] == lexical  # nothing that was on screen moved
    assert panel.results.currentIndex().row() == 1 and panel.current_hit().id == chosen
    added = ids(panel)[len(lexical):]
    assert set(added) <= set(expected(desk, query, encoder)) - set(lexical)


def test_vector_of_an_older_query_does_not_reorder_a_newer_one(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    desk = semantic_desk
    panel = desk.kb.search
    desk.focus_kb_search()
    reranked: list[list[str]] = []
    panel.reranked.connect(lambda: reranked.append(ids(panel)))
    with encoder._lock:
        with qtbot.waitSignal(panel.searched, timeout=10000):
            type_chinese(panel.search, QUERY)
        panel.search.clear()
        with qtbot.waitSignal(panel.searched, timeout=10000):
            type_chinese(panel.search, "养狗")
    qtbot.waitUntil(lambda: bool(reranked), timeout=10000)
    qtbot.wait(300)  # the older query's vector has come and gone
    assert reranked == [expected(desk, "养狗", encoder)]
    assert ids(panel) == expected(desk, "养狗", encoder)


def test_suggestions_use_the_case_texts_vector(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    desk = semantic_desk
    bridge = desk._intake_page.semantic
    cases: list[str] = []
    bridge.case_vector.connect(lambda text, vec: cases.append(text) if vec.shape == (encoder.dim,) else None)
    from semantic import case_passage
    from ui.kb.suggestions_panel import LIMIT

    path = desk.kb.path
    lexical = [h.id for h in kb_backend.suggest(path, CONTENT, LIMIT)]
    fused = [h.id for h in kb_backend.suggest(path, CONTENT, LIMIT, encoder.passage(case_passage(CONTENT)))]
    assert fused != lexical  # the vector changes the ranking
    with qtbot.waitSignal(desk.kb.suggestions.searched, timeout=15000):
        type_chinese(desk.form.appeal.content.edit, CONTENT)
    assert ids(desk.kb.suggestions) == lexical  # first the lexical suggestions, after the pause in typing
    with qtbot.waitSignal(desk.kb.suggestions.reranked, timeout=15000):
        pass
    assert ids(desk.kb.suggestions) == fused
    assert "意思" in desk.kb.suggestions.hint.text()  # the panel says the meaning is in the ranking
    assert desk.kb.suggestions.current_hit() is None  # suggestions never take the focus or select
    assert cases and cases[-1] == CONTENT  # part of the routing panel's input too: the exact text encoded


def test_without_the_encoder_the_desk_searches_by_keywords_and_says_so(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    build_kb(controller.seat.data_dir / "kb.sqlite", None)  # conftest switched the encoder off
    desk = open_desk(qtbot, controller)
    bridge = desk._intake_page.semantic
    panel = desk.kb.search
    qtbot.waitUntil(lambda: bridge.state == "unavailable", timeout=10000)
    assert bridge.status() == "关键词检索（语义模型不可用）"
    assert panel.mode.text() == "关键词检索" and "关闭" in panel.mode.toolTip()
    desk.focus_kb_search()
    with qtbot.waitSignal(panel.searched, timeout=10000):
        type_chinese(panel.search, "供暖温度")
    assert ids(panel) == expected(desk, "供暖温度", None) and ids(panel)[0] == "t-heat"


def test_an_encoder_with_no_vectors_synced_yet_stays_lexical_and_says_why(qtbot, controller, encoder) -> None:  # type: ignore[no-untyped-def]
    build_kb(controller.seat.data_dir / "kb.sqlite", None)
    desk = open_desk(qtbot, controller)
    panel = desk.kb.search
    qtbot.waitUntil(lambda: panel.vectors_in_kb == 0, timeout=10000)
    assert panel.mode.text() == "关键词检索" and "暂无语义向量" in panel.mode.toolTip()
    desk.focus_kb_search()
    with qtbot.waitSignal(panel.searched, timeout=10000):
        type_chinese(panel.search, "供暖温度")
    qtbot.wait(200)
    assert ids(panel)[0] == "t-heat"
    build_kb(controller.seat.data_dir / "kb.sqlite", encoder)  # a later pull brings the articles' vectors
    desk.kb.recheck()  # after the sync pass
    qtbot.waitUntil(lambda: panel.vectors_in_kb == len(ARTICLES), timeout=10000)
    assert panel.mode.text() == "语义检索" and panel.semantic_in_use


def test_bridge_encodes_the_latest_case_text_after_a_pause(qtbot, encoder) -> None:  # type: ignore[no-untyped-def]
    from semantic import case_passage
    from ui.intake.semantic_bridge import SemanticBridge

    bridge = SemanticBridge(case_debounce_ms=100)
    got: list[tuple[str, object]] = []
    bridge.case_vector.connect(lambda text, vec: got.append((text, vec)))
    bridge.request_case("小区门口的路灯坏了")  # asked while the encoder is still loading: sent once it is ready
    with qtbot.waitSignal(bridge.status_changed, timeout=10000, check_params_cb=lambda s: s == "语义检索"):
        bridge.start()
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert [text for text, _ in got] == ["小区门口的路灯坏了"]
    got.clear()
    bridge.request_case(CONTENT[:10])
    bridge.request_case(CONTENT)  # typed on before the pause ended: only the latest text is encoded
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    qtbot.wait(400)
    assert [text for text, _ in got] == [CONTENT]
    assert float(got[0][1] @ encoder.passage(case_passage(CONTENT))) > 0.999  # type: ignore[operator]
    got.clear()
    queries: list[int] = []
    bridge.query_vector.connect(lambda seq, _vec: queries.append(seq))
    asked = time.monotonic()
    bridge.request_query(7, "路灯不亮")  # the operator is searching: the case text waits for a quiet second
    bridge.request_case("路灯坏了很久没人修")
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert queries == [7] and time.monotonic() - asked >= 0.95
    bridge.request_case("路灯坏了很久没人修")  # another field of the form edited: the same content
    qtbot.wait(1300)
    assert len(got) == 1
    bridge.stop()
    bridge.request_query(1, "路灯")
    qtbot.wait(100)
    assert len(got) == 1 and queries == [7] and not bridge.ready


def test_encoder_threads_end_with_the_window_that_owns_them(qtbot, encoder) -> None:  # type: ignore[no-untyped-def]
    import threading

    from PySide6.QtWidgets import QWidget

    from ui.intake.semantic_bridge import SemanticBridge

    def encoder_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("encoder-")]

    before = set(encoder_threads())
    window = QWidget()
    bridge = SemanticBridge(window)
    with qtbot.waitSignal(bridge.status_changed, timeout=10000, check_params_cb=lambda s: s == "语义检索"):
        bridge.start()
    mine = [t for t in encoder_threads() if t not in before]
    assert len(mine) == 2 and all(t.is_alive() for t in mine)  # queries and case texts
    window.deleteLater()  # a logout deletes the desk, and the bridge with it
    qtbot.waitUntil(lambda: not any(t.is_alive() for t in mine), timeout=5000)


def test_pinyin_initials_get_the_keyword_list_and_its_count(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    """"zs" (pinyin initials) is not sent to the encoder and its list is the lexical one, counted as found."""
    desk = semantic_desk
    panel = desk.kb.search
    asked: list[str] = []
    desk._intake_page.semantic.query_vector.connect(lambda seq, _v: asked.append(str(seq)))
    desk.focus_kb_search()
    with qtbot.waitSignal(panel.searched, timeout=10000):
        panel.search.setText("zs")
    qtbot.wait(400)
    assert panel.ranking == "lexical" and not asked
    assert ids(panel) == expected(desk, "zs", None)
    assert not panel.status.text().startswith("最接近")


def test_the_fused_list_comes_when_the_vector_does_not_at_the_end_of_the_pause(qtbot, semantic_desk, encoder) -> None:  # type: ignore[no-untyped-def]
    """The vector of the text in the box starts the fused search at once: with a typing pause stretched to 20 s,
    the fused list is still shown within seconds (target: p95 ≤ 60 ms after the last keystroke, gui_stall.py)."""
    desk = semantic_desk
    panel = desk.kb.search
    panel._debounce.setInterval(20_000)
    desk.focus_kb_search()
    type_chinese(panel.search, QUERY)
    qtbot.waitUntil(lambda: panel.ranking == "fused", timeout=5000)
    assert ids(panel) == expected(desk, QUERY, encoder) and panel._debounce.isActive() is False

"""The knowledge base beside the case form: search as you type, filters, viewer, F6 citation, suggestions,
bad input, and a seat whose knowledge base has not been synced yet."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from operator_app.store import schema
from tests.ui.conftest import type_ascii, type_chinese
from ui.kb.models import HTML_ROLE
from ui.kb.search_panel import KbSearchPanel
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "kb" / "demo_articles.jsonl"


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from knowledge_base import KnowledgeBase

    path = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    with KnowledgeBase.open(path) as kb:
        report = kb.import_jsonl(DEMO)
    assert report.imported == 64 and not report.issues
    return path


@pytest.fixture
def kb_desk(qtbot, controller: DeskController, kb_template: Path) -> Iterator[DeskWindow]:  # type: ignore[no-untyped-def]
    """A logged-in desk on a seat whose knowledge base holds the demo articles."""
    shutil.copyfile(kb_template, controller.seat.data_dir / "kb.sqlite")
    controller.show_login()
    controller.login("1001")
    desk = controller.desk
    assert desk is not None
    qtbot.addWidget(desk)
    desk.resize(1280, 800)  # a seat's screen, as the desk fixture (tests/ui/conftest.py)
    desk.show()
    qtbot.waitExposed(desk)
    qtbot.waitUntil(lambda: desk.ready, timeout=5000)
    yield desk


def search(qtbot, desk: DeskWindow, text: str, *, chinese: bool = True) -> KbSearchPanel:  # type: ignore[no-untyped-def]
    panel = desk.kb.search
    QTest.keyClick(desk, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is panel.search
    with qtbot.waitSignal(panel.searched, timeout=10000):
        (type_chinese if chinese else type_ascii)(panel.search, text)
    return panel


def titles(panel: KbSearchPanel) -> list[str]:
    return [h.title for h in panel.model.hits]


def test_typing_shows_highlighted_results(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    panel = search(qtbot, kb_desk, "医保报销")
    assert panel.model.rowCount() > 0
    html = panel.model.data(panel.model.index(0), HTML_ROLE)
    assert "<b" in html and ("医保" in html or "报销" in html)
    assert panel.status.text().startswith(f"{panel.model.rowCount()} 篇")
    assert panel.results.currentIndex().row() == 0  # the first result is selected for ↓/↑, Enter and F6
    QTest.keyClick(panel.search, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    QTest.keyClick(panel.search, Qt.Key.Key_Up)
    assert panel.results.currentIndex().row() == 0
    assert QApplication.focusWidget() is panel.search  # arrows move the selection, typing can go on


def test_snippet_text_is_escaped(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    from knowledge_base import Article, KnowledgeBase

    with KnowledgeBase.open(kb_desk.seat.data_dir / "kb.sqlite") as kb:
        kb.upsert(Article(id="x-1", title="医保<script>", body="医保 <i>斜体</i> & 报销", category="卫生计生/医疗保障"))
    panel = search(qtbot, kb_desk, "医保")
    row = next(i for i, h in enumerate(panel.model.hits) if h.id == "x-1")
    html = panel.model.data(panel.model.index(row), HTML_ROLE)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;i&gt;" in html and "&amp;" in html


@pytest.mark.parametrize(("query", "chinese"), [("医保", True), ("噪", True), ("yb", False)])
def test_short_queries_find_articles(qtbot, kb_desk: DeskWindow, query: str, chinese: bool) -> None:  # type: ignore[no-untyped-def]
    panel = search(qtbot, kb_desk, query, chinese=chinese)
    assert panel.model.rowCount() > 0, panel.status.text()
    if query == "医保":
        assert any("医保" in t or "医疗" in t for t in titles(panel)[:3])


def test_filters_narrow_the_results(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    panel = search(qtbot, kb_desk, "供暖")
    assert any(h.expired for h in panel.model.hits)  # not current-only by default: expired shown, flagged
    expired_row = next(i for i, h in enumerate(panel.model.hits) if h.expired)
    assert "已过期" in panel.model.data(panel.model.index(expired_row), HTML_ROLE)
    assert panel.model.hits[0].expired is False  # ranked down
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.current_only.setChecked(True)
    assert panel.model.rowCount() > 0 and not any(h.expired for h in panel.model.hits)

    qtbot.waitUntil(lambda: panel.category.count() > 5, timeout=5000)  # filter values come from the articles
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.category.setCurrentIndex(panel.category.findData("环境保护"))
    assert all(h.category.startswith("环境保护") for h in panel.model.hits)

    panel.category.setCurrentIndex(0)
    panel.search.clear()
    with qtbot.waitSignal(panel.searched, timeout=5000):
        type_chinese(panel.search, "噪音")
    assert any("公安" in d for d in [panel.department.itemText(i) for i in range(panel.department.count())])
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.department.setCurrentIndex(panel.department.findData("示范市公安局"))
    assert [h.id for h in panel.model.hits] == ["demo-016"] or all(h.id != "demo-015" for h in panel.model.hits)


def test_enter_opens_the_viewer_with_markdown(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    panel = search(qtbot, kb_desk, "灵活就业养老保险")
    assert panel.model.hits[0].id == "demo-001"
    QTest.keyClick(panel.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kb_desk.kb.viewer is not None and kb_desk.kb.viewer.isVisible(), timeout=5000)
    viewer = kb_desk.kb.viewer
    assert viewer is not None and viewer.article.id == "demo-001"
    text = viewer.body.toPlainText()
    assert "适用对象" in text and "##" not in text  # headings rendered, not shown as marks
    assert "<h2" in viewer.body.toHtml()
    assert "第2版" in viewer.fact_labels["版本"].text()
    assert "知识库编辑组" in viewer.fact_labels["负责人"].text()
    assert "2024-01-01" in viewer.fact_labels["有效期"].text()
    assert not viewer.banner.isVisible()
    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: kb_desk.kb.viewer is None, timeout=3000)


def test_expired_article_is_flagged_in_the_viewer(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    kb_desk.kb.open_article("demo-024")
    qtbot.waitUntil(lambda: kb_desk.kb.viewer is not None, timeout=5000)
    viewer = kb_desk.kb.viewer
    assert viewer is not None and viewer.expired and viewer.banner.isVisible()
    assert "已过期" in viewer.banner.text() and "已过期" in viewer.fact_labels["有效期"].text()


def test_f6_fills_the_answer_and_the_case_records_the_citation(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    desk = kb_desk
    form = desk.form
    type_ascii(form.caller.phone, "13800138000")
    form.appeal.appeal_type.setCurrentIndex(form.appeal.appeal_type.findData("consult"))
    form.appeal.category.set_path(desk.seat.city.categories.leaves[1])
    type_chinese(form.appeal.content.edit, "咨询灵活就业人员怎么交养老保险")
    panel = search(qtbot, desk, "灵活就业养老保险")
    assert panel.current_hit() is not None and panel.current_hit().id == "demo-001"
    QTest.keyClick(desk, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: form.disposition.answer.toPlainText() != "", timeout=5000)
    answer = form.disposition.answer.toPlainText()
    assert answer.startswith("告知来电人灵活就业人员可自愿参保")  # the 答复口径 section, without Markdown
    assert form.disposition.disposition() == "direct"
    assert QApplication.focusWidget() is form.disposition.answer
    assert "已引用" in desk.statusBar().currentMessage()
    assert desk.kb.citations == [("demo-001", 2)]
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        desk.submit()
    result = blocker.args[0]
    with desk.seat.store.read() as conn:
        payload = json.loads(conn.execute(select(schema.case_events.c.payload_json).where(
            schema.case_events.c.case_id == result.case_id)).scalar_one())
    assert payload["kb_citations"] == [{"id": "demo-001", "version": 2}]
    assert desk.kb.citations == []  # cleared with the form


def test_viewer_cite_button_and_dispatch_case_records_nothing(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    desk = kb_desk
    desk.kb.open_article("demo-002")
    qtbot.waitUntil(lambda: desk.kb.viewer is not None, timeout=5000)
    viewer = desk.kb.viewer
    assert viewer is not None
    viewer.cite_button.click()
    assert desk.form.disposition.answer.toPlainText().startswith("1. 先拨打12333")
    assert desk.kb.citations == [("demo-002", viewer.article.version)]
    desk.form.disposition.buttons["dispatch"].setChecked(True)
    assert desk.kb.citations_for(desk.form.form_input()) == ()  # a dispatched case quotes no answer
    desk.activateWindow()
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)
    QTest.keyClick(desk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert desk.kb.citations == []


def test_feedback_from_the_viewer(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    desk = kb_desk
    desk.kb.open_article("demo-003")
    qtbot.waitUntil(lambda: desk.kb.viewer is not None, timeout=5000)
    viewer = desk.kb.viewer
    assert viewer is not None
    viewer.comment.setText("电话号码已变更")
    viewer.feedback_buttons["outdated"].click()
    qtbot.waitUntil(lambda: viewer.feedback_status.text() not in ("", "正在提交反馈…"), timeout=5000)
    assert "已记录反馈" in viewer.feedback_status.text() and "已记录反馈" in desk.statusBar().currentMessage()
    assert not viewer.feedback_buttons["helpful"].isEnabled()  # once per viewing
    with desk.seat.store.read() as conn:
        row = conn.execute(select(schema.outbox).where(schema.outbox.c.name == "kb.feedback")).one()
    args = json.loads(row.args_json)
    assert (args["article_id"], args["version"], args["verdict"], args["comment"]) == \
        ("demo-003", viewer.article.version, "outdated", "电话号码已变更")
    assert row.operator_id == "1001"
    qtbot.waitUntil(lambda: "待同步" in desk.sync_indicator.text(), timeout=3000)


def test_suggestions_follow_the_case_content(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    panel = kb_desk.kb.suggestions
    with qtbot.waitSignal(panel.searched, timeout=10000):
        type_chinese(kb_desk.form.appeal.content.edit, "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息")
    assert panel.list.isVisible() and 0 < panel.model.rowCount() <= 5
    assert panel.model.hits[0].title == "餐饮油烟扰民投诉"
    assert QApplication.focusWidget() is kb_desk.form.appeal.content.edit  # quiet: the focus stays
    QTest.keyClick(kb_desk, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is panel.list
    QTest.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kb_desk.kb.viewer is not None, timeout=5000)
    assert kb_desk.kb.viewer is not None and kb_desk.kb.viewer.article.title == "餐饮油烟扰民投诉"


BAD_INPUT = ['" * ( ) : ^ - NEAR AND OR NOT', '"医保', "医保 OR", "NOT", "(((", "😀🎉", "医保😀",
             "\x00\x01\x1b医保\x7f", "\u200b\u200d", "　", "ｙｂ", "*"]


def test_bad_input_gives_no_error(qtbot, kb_desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    panel = kb_desk.kb.search
    panel.focus_search()
    for text in BAD_INPUT:
        panel.search.clear()
        if not text.strip():
            panel.search.setText(text)  # nothing to search: the hint stays, nothing runs
            qtbot.wait(200)
        else:
            with qtbot.waitSignal(panel.searched, timeout=5000):
                panel.search.setText(text)
        assert "暂时无法" not in panel.status.text(), text
        assert not QApplication.activeModalWidget(), text
    QApplication.clipboard().setText("医保报销" * 2500)  # a 10,000-character paste
    panel.search.clear()
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search.paste()
    assert len(panel.search.text()) == 10000
    assert panel.model.rowCount() > 0 and "暂时无法" not in panel.status.text()


def test_without_a_knowledge_base_the_panels_say_not_synced(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    assert not (desk.seat.data_dir / "kb.sqlite").exists()
    panel = desk.kb.search
    qtbot.waitUntil(lambda: "尚未同步" in panel.status.text(), timeout=5000)
    with qtbot.waitSignal(panel.searched, timeout=5000):
        type_chinese(panel.search, "医保")
    assert "尚未同步" in panel.status.text() and panel.model.rowCount() == 0
    suggestions = desk.kb.suggestions
    with qtbot.waitSignal(suggestions.searched, timeout=5000):
        type_chinese(desk.form.appeal.content.edit, "咨询医保报销比例是多少")
    assert "尚未同步" in suggestions.hint.text()
    QTest.keyClick(desk, Qt.Key.Key_F6)  # nothing selected: a word in the status bar, no dialog
    assert not desk.findChildren(QMessageBox) and not QApplication.activeModalWidget()
    assert (desk.seat.data_dir / "kb.sqlite").exists() is False  # searching never creates the file


def test_knowledge_base_arriving_later_is_found(qtbot, desk: DeskWindow, kb_template: Path) -> None:  # type: ignore[no-untyped-def]
    panel = desk.kb.search
    qtbot.waitUntil(lambda: "尚未同步" in panel.status.text(), timeout=5000)
    shutil.copyfile(kb_template, desk.seat.data_dir / "kb.sqlite")  # the first pull filled it
    desk.kb.recheck()  # after a sync pass
    qtbot.waitUntil(lambda: "尚未同步" not in panel.status.text(), timeout=5000)
    with qtbot.waitSignal(panel.searched, timeout=5000):
        type_chinese(panel.search, "噪音")
    assert panel.model.rowCount() > 0 and "尚未同步" not in panel.status.text()

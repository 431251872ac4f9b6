"""The routing suggestions panel: updates while typing, F4 takes the first suggestion, low confidence is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import type_chinese
from ui.desk_window import DeskWindow


def test_suggestions_follow_the_content_and_f4_accepts(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    type_chinese(desk.form.appeal.content.edit, "小区楼下烧烤店油烟很大，晚上还有噪音，影响休息")
    first = desk.routing.rows[0]
    qtbot.waitUntil(first.isVisible, timeout=10000)
    assert first.title.text().startswith("环境保护")
    assert first.bar.value() >= 60 and "关键词" in first.why.text()
    snapshot = desk.routing.snapshot
    assert snapshot is not None and len(snapshot.suggestions) == 3
    QTest.keyClick(desk, Qt.Key.Key_F4)
    form = desk.form
    assert form.disposition.disposition() == "dispatch"
    lead = desk.seat.city.departments[snapshot.suggestions[0].lead_department_id or ""]
    assert form.disposition.lead.currentText() == lead.name
    assert form.appeal.category.text().startswith("环境保护 / ")
    assert QApplication.focusWidget() is form.appeal.category


def test_too_little_text_gives_no_suggestion(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    type_chinese(desk.form.appeal.content.edit, "喂")
    qtbot.waitUntil(lambda: "内容不足" in desk.routing.hint.text() or "置信度低" in desk.routing.hint.text(),
                    timeout=10000)
    QTest.keyClick(desk, Qt.Key.Key_F4)  # nothing to accept: the form is untouched
    assert desk.form.disposition.disposition() == ""

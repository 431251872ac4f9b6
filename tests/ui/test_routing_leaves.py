"""The routing panel: nothing for text that says nothing; the city's leaf categories when a case vector comes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import type_chinese
from ui.shell.desk_window import DeskWindow


def test_test_text_gives_no_suggestion(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: desk.routing.loaded, timeout=20000)
    type_chinese(desk.form.appeal.content.edit, "测试")
    qtbot.waitUntil(lambda: "内容不足" in desk.routing.hint.text(), timeout=10000)
    assert desk.routing.snapshot is None and not any(row.isVisible() for row in desk.routing.rows)
    QTest.keyClick(desk, Qt.Key.Key_F4)  # nothing to take: the form is untouched
    assert desk.form.disposition.disposition() == ""
    assert desk.form.appeal.category.text() == ""

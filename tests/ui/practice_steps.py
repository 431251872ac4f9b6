"""Steps the practice UI tests share: open the 练习 workspace on a signed-in desk, start a scenario, fill the
real form as a trainee would (Chinese through the input method, keys for combo boxes and check boxes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from contract.practice.scenario import Scenario
from tests.ui.conftest import type_ascii, type_chinese
from ui.shell.desk_window import DeskWindow
from ui.training.practice.page import PracticePage
from ui.training.practice.window import PracticeWindow

NOISE = "demo-env-001"  # 夜间工地施工噪音: cgj leads, zjj cooperates, 东湖区湖滨街道
CONTENT = "市民反映小区北门对面的在建商业楼工地每天半夜还在打桩施工，噪音很大，已持续一个多星期。"


def practice_page(qtbot: Any, desk: DeskWindow) -> PracticePage:
    page = desk.pages["practice"]
    assert isinstance(page, PracticePage)
    QTest.keyClick(desk, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert desk.tabs.currentWidget() is page
    qtbot.waitUntil(lambda: page.library.rowCount() > 0, timeout=10000)
    return page


def start_scenario(qtbot: Any, desk: DeskWindow, scenario_id: str) -> PracticeWindow:
    """Pick the scenario in the library and press Enter, as a trainee does."""
    page = practice_page(qtbot, desk)
    table = page.library
    row = next(r for r in range(table.rowCount())
               if (item := table.item(r, 0)) is not None and item.data(Qt.ItemDataRole.UserRole) == scenario_id)
    table.setFocus()
    table.setCurrentCell(row, 0)
    QTest.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.window_ is not None and page.window_.isVisible(), timeout=5000)
    window = page.window_
    assert window is not None
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)  # its keys work once active
    return window


def pick_category(qtbot: Any, window: PracticeWindow, words: str, leaf: str) -> None:
    picker = window.form.appeal.category
    type_chinese(picker, words)
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    model = picker.completer().completionModel()
    wanted = leaf.replace("/", " / ")
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == wanted)
    for _ in range(row + 1):
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert picker.path() == leaf
    # The offscreen platform leaves the closed popup as the active window; a desktop gives it back to the window.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def choose(combo: Any, text: str) -> None:
    """Move a combo box to `text` with the arrow keys."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def fill_noise_case(qtbot: Any, window: PracticeWindow, scenario: Scenario, *, cooperating: bool) -> None:
    """The trainee's answer to demo-env-001: right everywhere, except the cooperating unit when `cooperating` is
    False."""
    form = window.form
    type_chinese(form.caller.name, "周女士")
    type_ascii(form.caller.phone, scenario.caller.phone)
    choose(form.appeal.appeal_type, "投诉")
    pick_category(qtbot, window, "施工噪音", "环境保护/噪音扰民/施工噪音")
    choose(form.appeal.district, "东湖区")
    choose(form.appeal.street, "湖滨街道")
    type_chinese(form.appeal.address, "滨江花园小区北门对面")
    type_chinese(form.appeal.content.edit, CONTENT)
    form.disposition.buttons["dispatch"].setFocus()
    QTest.keyClick(form.disposition.buttons["dispatch"], Qt.Key.Key_Space)
    type_chinese(form.disposition.lead.lineEdit(), "市城市管理综合执法局")
    if cooperating:
        coop = form.disposition.cooperating
        coop.setFocus()
        row = next(r for r in range(coop.count()) if coop.item(r).text() == "市住房和城乡建设局")
        coop.setCurrentRow(row)
        QTest.keyClick(coop, Qt.Key.Key_Space)
        assert coop.item(row).checkState() == Qt.CheckState.Checked


def submit_with_keys(window: PracticeWindow) -> None:
    QTest.keyClick(window.form.appeal.content.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

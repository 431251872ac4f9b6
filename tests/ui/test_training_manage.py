"""The trainer's workspace 培训管理 (ui/training/manage/): the scenario library, its actions and keys, the page's
tabs, and scenarios made from a real case, against a fake `api` that answers in the plan's JSON shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from contract.practice.scenario import Scenario
from operator_app.errors import SyncError, SyncErrorKind
from tests.ui.conftest import type_ascii
from tests.ui.training_manage_fakes import LIBRARY, FakeApi, demo_city, library_api, scenario, wait_calls
from ui.common.tasks import TaskManager
from ui.training.manage.assign_page import AssignPage
from ui.training.manage.from_case_dialog import FromCaseDialog
from ui.training.manage.page import TrainingManagePage
from ui.training.manage.results_page import ResultsPage
from ui.training.manage.scenario_editor import ScenarioEditor
from ui.training.manage.scenario_list import ScenarioLibrary

SCENARIOS = "/api/v1/practice/scenarios"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def open_page(qtbot: Any, tasks: TaskManager, api: FakeApi) -> TrainingManagePage:
    city = demo_city()
    page = TrainingManagePage(api=api, tasks=tasks, me=city.roster["3001"], city=city)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)  # the page's keys act only in the active window
    qtbot.waitUntil(lambda: len(page.library.rows) > 0 or bool(api.sent("GET", SCENARIOS)), timeout=5000)
    return page


def loaded(qtbot: Any, library: ScenarioLibrary) -> None:
    qtbot.waitUntil(lambda: library.table.rowCount() > 0, timeout=5000)


def cells(library: ScenarioLibrary) -> list[list[str]]:
    table = library.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_library_lists_every_scenario_in_words_and_filters(qtbot: Any, tasks: TaskManager) -> None:
    api = library_api()
    page = open_page(qtbot, tasks, api)
    library = page.library
    loaded(qtbot, library)
    [call] = api.sent("GET", SCENARIOS)
    assert call.params == {"status": "all"}
    assert cells(library) == [  # newest first
        ["物业乱收费", "物业管理/物业收费", "熟练", "草稿", "1", "真实工单", "2026-12-04 10:00"],
        ["夜间工地施工噪音", "噪音扰民/施工噪音", "入门", "已发布", "3", "自编", "2026-12-03 10:00"],
        ["旧版医保咨询", "医疗保险/医保报销", "困难", "已停用", "1", "示范", "2026-11-20 10:00"],
    ]
    library.table.setFocus()
    QTest.keyClick(library.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is library.filter
    library.filter.setText("噪音")
    assert [row[0] for row in cells(library)] == ["夜间工地施工噪音"]
    library.filter.clear()
    library.status.setCurrentIndex(library.status.findData("draft"))
    assert [row[0] for row in cells(library)] == ["物业乱收费"]
    library.status.setCurrentIndex(0)
    library.category.setCurrentIndex(library.category.findData("劳动和社会保障"))
    assert [row[0] for row in cells(library)] == ["旧版医保咨询"]
    library.filter.setText("物业")
    assert cells(library) == [] and "没有符合筛选条件" in library.message.text()


def test_publish_and_retire_go_to_the_server_by_key(qtbot: Any, tasks: TaskManager,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    api = library_api()
    api.routes[("POST", f"{SCENARIOS}/s-fee/publish")] = {"id": "s-fee", "status": "published"}
    api.routes[("POST", f"{SCENARIOS}/s-noise/retire")] = {"id": "s-noise", "status": "retired"}
    page = open_page(qtbot, tasks, api)
    library = page.library
    loaded(qtbot, library)
    library.select("s-fee")
    assert library.publish_button.isEnabled() and not library.retire_button.isEnabled()
    library.table.setFocus()
    QTest.keyClick(library.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_calls(qtbot, api, "POST", f"{SCENARIOS}/s-fee/publish")
    qtbot.waitUntil(lambda: "已发布“物业乱收费”" in library.message.text(), timeout=5000)
    wait_calls(qtbot, api, "GET", SCENARIOS, 2)  # the list is read again
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: library.select("s-noise"), timeout=5000)
    QTest.keyClick(library.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_calls(qtbot, api, "POST", f"{SCENARIOS}/s-noise/retire")
    assert "停用“夜间工地施工噪音”" in asked[0]


def test_preview_hands_the_scenario_on(qtbot: Any, tasks: TaskManager) -> None:
    api = library_api()
    page = open_page(qtbot, tasks, api)
    loaded(qtbot, page.library)
    page.library.select("s-noise")
    page.library.table.setFocus()
    with qtbot.waitSignal(page.preview_requested, timeout=3000) as signal:
        QTest.keyClick(page.library.table, Qt.Key.Key_F5)
    played = signal.args[0]
    assert isinstance(played, Scenario) and played.id == "s-noise" and played.key.lead_department == "cgj"
    assert played.render(played.lines[1].text) == "我的电话是13900000101。"


def test_tabs_switch_by_alt_letter_and_ctrl_page_keys(qtbot: Any, tasks: TaskManager) -> None:
    api = library_api()
    page = open_page(qtbot, tasks, api)
    assert [page.tabs.tabText(i).split("（")[0] for i in range(page.tabs.count())] == ["场景库", "布置练习", "练习成绩"]
    page.library.table.setFocus()
    QTest.keyClick(page.library.table, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert isinstance(page.tabs.currentWidget(), AssignPage)
    QTest.keyClick(page.tabs.currentWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(page.tabs.currentWidget(), ScenarioLibrary)
    QTest.keyClick(page.tabs.currentWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(page.tabs.currentWidget(), AssignPage)
    QTest.keyClick(page.tabs.currentWidget(), Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    assert isinstance(page.tabs.currentWidget(), ResultsPage)
    QTest.keyClick(page.tabs.currentWidget(), Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert isinstance(page.tabs.currentWidget(), ScenarioLibrary)


def test_an_unreachable_server_is_said_in_words(qtbot: Any, tasks: TaskManager) -> None:
    api = FakeApi({("GET", SCENARIOS): SyncError(SyncErrorKind.NETWORK, "cannot reach"),
                   ("GET", "/api/v1/practice/assignments"): SyncError(SyncErrorKind.AUTH, "expired")})
    page = open_page(qtbot, tasks, api)
    qtbot.waitUntil(lambda: "连接不到中心服务器" in page.library.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: "登录已过期" in page.page(AssignPage).message.text(), timeout=5000)


def test_enter_opens_the_selected_scenario_in_the_editor(qtbot: Any, tasks: TaskManager) -> None:
    api = library_api()
    page = open_page(qtbot, tasks, api)
    loaded(qtbot, page.library)
    page.library.select("s-noise")
    page.library.table.setFocus()
    QTest.keyClick(page.library.table, Qt.Key.Key_Return)
    editor = page.library.editor
    assert isinstance(editor, ScenarioEditor) and editor.isVisible()
    assert editor.title_edit.text() == "夜间工地施工噪音" and editor.key.lead.currentText() == "市城市管理综合执法局"
    assert editor.key.category.text() == "环境保护 / 噪音扰民 / 施工噪音"
    editor.reject()


LINE_1 = "我叫【姓名】，我家在【门牌号】，门口总有车牌【车牌号】的车乱停。"
LINE_2 = "你们打我电话【电话】回复就行。"


def _at(line: int, text: str, placeholder: str, kind: str) -> dict[str, Any]:
    start = text.index(placeholder)
    return {"kind": kind, "placeholder": placeholder, "line": line, "start": start, "end": start + len(placeholder)}


FROM_CASE = {
    "draft": {**scenario("", "小区门口车辆乱停", "政法/交通管理/违法停车", status="draft", source="case"),
              "lines": [{"text": LINE_1, "after_seconds": 0}, {"text": LINE_2, "after_seconds": 0}],
              "caller": {"name": "李先生", "phone": "13900000555", "special_needs": ["elderly"], "note": ""}},
    "replacements": [_at(0, LINE_1, "【姓名】", "name"), _at(0, LINE_1, "【门牌号】", "house_number"),
                     _at(0, LINE_1, "【车牌号】", "plate"), _at(1, LINE_2, "【电话】", "phone")],
}


def test_a_scenario_from_a_real_case_shows_each_replacement_before_it_opens_in_the_editor(
        qtbot: Any, tasks: TaskManager) -> None:
    api = library_api()
    api.routes[("POST", f"{SCENARIOS}/from-case")] = lambda call: (
        FROM_CASE if call.json_body == {"number": "S001-20261201-0007"}
        else SyncError(SyncErrorKind.REJECTED, "no such case", code="case_not_found"))
    api.routes[("POST", SCENARIOS)] = lambda call: {**call.json_body, "id": "s-new", "status": "draft"}
    page = open_page(qtbot, tasks, api)
    library = page.library
    library.table.setFocus()
    QTest.keyClick(library.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = library.editor
    assert isinstance(dialog, FromCaseDialog) and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    type_ascii(dialog.number, "S001-20261201-9999")
    QTest.keyClick(dialog.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "没有找到这张工单" in dialog.message.text(), timeout=5000)
    assert not dialog.open_button.isEnabled()
    dialog.number.clear()
    type_ascii(dialog.number, "S001-20261201-0007")
    QTest.keyClick(dialog.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.replaced.count() == 4, timeout=5000)
    listed = [dialog.replaced.item(i).text() for i in range(4)]
    assert listed == ["第 1 句：姓名 → 【姓名】", "第 1 句：门牌号 → 【门牌号】", "第 1 句：车牌号 → 【车牌号】",
                      "第 2 句：电话 → 【电话】"]
    shown = dialog.preview.toHtml()
    assert shown.count("#ffe08a") == 4  # each placeholder highlighted in its line
    assert ">【车牌号】</span>" in shown and ">【电话】</span>" in shown
    assert "替换了 4 处" in dialog.message.text()
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    editor = library.editor
    assert isinstance(editor, ScenarioEditor) and editor.isVisible() and not dialog.isVisible()
    qtbot.waitUntil(editor.isActiveWindow, timeout=5000)
    assert editor.scenario_id == "" and editor.lines.table.rowCount() == 2
    assert editor.caller_needs["elderly"].isChecked()
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [post] = wait_calls(qtbot, api, "POST", SCENARIOS)
    assert post.json_body["id"] == "" and post.json_body["source"] == "case"
    assert post.json_body["lines"][0]["text"].startswith("我叫【姓名】")


def test_the_library_is_in_the_plan_shape_of_the_demo_files() -> None:
    """The fake's rows are what Scenario.from_dict reads: the tests above exercise the real wire shape."""
    for row in LIBRARY:
        assert Scenario.from_dict(row).id == row["id"]


def test_the_trainers_desk_waits_for_the_central_server_then_opens_the_workspace(
        qtbot: Any, tmp_path: Path, migrated_db: Path) -> None:
    """Signed in before the engine is set up: the area says so in words (and has no case form), then fills in."""
    from operator_app.seat import open_seat
    from tests.conftest import fresh_seat_dir
    from tests.ui.conftest import offline_engine
    from ui.intake.form import CaseForm
    from ui.shell.app import DeskController, make_application
    from ui.shell.workspace_pages import TrainingSlot

    make_application()
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat, lambda: offline_engine(seat))
    try:
        ctl.show_login()
        ctl.login("3001")
        desk = ctl.desk
        assert desk is not None
        desk.show()
        qtbot.waitUntil(lambda: desk.ready, timeout=5000)
        slot = desk.tabs.currentWidget()
        assert isinstance(slot, TrainingSlot) and slot.page is None
        words = " ".join(label.text() for label in slot.findChildren(QLabel))
        assert "未连接中心服务器" in words and "培训账号不能受理真实工单" in words
        assert not desk.findChildren(CaseForm)
        ctl._start_engine()
        qtbot.waitUntil(lambda: isinstance(slot.page, TrainingManagePage), timeout=10000)
        assert slot.currentWidget() is slot.page and ctl.engine is not None
        assert slot.page.api == ctl.engine.api
        library = slot.page.library
        qtbot.waitUntil(lambda: "请重新登录" in library.message.text(), timeout=10000)  # signed in offline: in words
        assert not desk.findChildren(CaseForm)
    finally:
        if ctl.desk is not None:
            ctl.desk.close()
        ctl.shutdown()


def test_preview_plays_the_scenario_in_the_practice_window(qtbot: Any, controller: Any) -> None:
    """预览 in the desk's slot opens the practice window's preview mode (ui/training/practice/window.py)."""
    from ui.shell.workspace_pages import TrainingSlot
    from ui.training.practice.window import PracticeWindow

    seat = controller.seat
    slot = TrainingSlot(tasks=controller.tasks, me=seat.city.roster["3001"], city=seat.city, data_dir=seat.data_dir,
                        api=library_api())
    qtbot.addWidget(slot)
    slot.show()
    assert isinstance(slot.page, TrainingManagePage)
    library = slot.page.library
    loaded(qtbot, library)
    library.select("s-noise")
    library.preview_selected()
    window = slot.preview
    try:
        assert isinstance(window, PracticeWindow) and window.isVisible() and window.previewing
        assert window.windowTitle().startswith("【练习模式】预览")
        assert [s.id for s in window.scenarios] == ["s-noise"]
    finally:
        if window is not None:
            window.close()

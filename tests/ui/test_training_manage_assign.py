"""布置练习: the assignments list in words, and the dialog that posts the chosen scenarios (in the order they were
ticked), the trainees and whole teams, with an exam's defaults; problems and refusals said in words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from operator_app.errors import SyncError, SyncErrorKind
from tests.ui.conftest import type_chinese
from tests.ui.training_manage_fakes import LIBRARY, FakeApi, demo_city, scenario, wait_calls
from ui.common.tasks import TaskManager
from ui.training.manage.assign_dialog import AssignDialog
from ui.training.manage.assign_page import AssignPage

ASSIGNMENTS = "/api/v1/practice/assignments"
SCENARIOS = "/api/v1/practice/scenarios"
PUBLISHED = [*LIBRARY, scenario("s-light", "路灯不亮", "城乡建设/市政设施/路灯照明", updated="2026-12-02T08:00:00+08:00")]


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def assignment_api() -> FakeApi:
    return FakeApi({
        ("GET", SCENARIOS): {"scenarios": PUBLISHED},
        ("GET", ASSIGNMENTS): {"assignments": [
            {"id": "a-1", "title": "第一周练习", "kind": "exercise", "scenario_ids": ["s-noise", "s-light"],
             "time_limit_seconds": None, "suggestions_off": False, "due_at": "2026-12-12T18:00:00+08:00",
             "created_by": "3001", "assignees": ["1001", "1002"], "progress": {"assigned": 2, "finished": 1}},
            {"id": "a-2", "title": "月度考试", "kind": "exam", "scenario_ids": ["s-noise"], "time_limit_seconds": 300,
             "suggestions_off": True, "due_at": None, "created_by": "3001", "assignees": ["1011"],
             "progress": {"assigned": 1, "finished": 0}}]},
    })


def open_page(qtbot: Any, tasks: TaskManager, api: FakeApi) -> AssignPage:
    city = demo_city()
    page = AssignPage(api=api, tasks=tasks, me=city.roster["3001"], city=city)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0 or bool(page.message.text()), timeout=5000)
    return page


def test_the_assignments_are_listed_in_words(qtbot: Any, tasks: TaskManager) -> None:
    page = open_page(qtbot, tasks, assignment_api())
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=5000)
    rows = [[page.table.item(r, c).text() for c in range(page.table.columnCount())] for r in range(2)]
    assert rows == [["第一周练习", "练习", "2", "按场景", "显示", "2026-12-12 18:00", "1 / 2 人完成"],
                    ["月度考试", "考试", "1", "5 分 00 秒", "关闭", "—", "0 / 1 人完成"]]


def tick(widget: Any, data: str) -> None:
    for i in range(widget.count()):
        if widget.item(i).data(Qt.ItemDataRole.UserRole) == data:
            widget.item(i).setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"{data} is not listed")


def test_a_new_exam_posts_the_chosen_scenarios_trainees_and_team(qtbot: Any, tasks: TaskManager) -> None:
    api = assignment_api()
    api.routes[("POST", ASSIGNMENTS)] = lambda call: {"id": "a-3", **call.json_body}
    page = open_page(qtbot, tasks, api)
    QTest.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.dialog
    assert isinstance(dialog, AssignDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.scenarios.count() == 2, timeout=5000)  # published ones only
    listed = [dialog.scenarios.item(i).text() for i in range(2)]
    assert listed == ["夜间工地施工噪音 · 噪音扰民/施工噪音 · 入门", "路灯不亮 · 市政设施/路灯照明 · 入门"]
    trainees = [dialog.trainees.item(i).text() for i in range(dialog.trainees.count())]
    assert "李晓梅（1001）· 一班" in trainees and "黄秀英（2001）· 一班" in trainees
    assert not any("3001" in t for t in trainees)  # a trainer takes no practice
    assert sorted(dialog.teams) == ["一班", "二班"]
    type_chinese(dialog.title_edit, "十二月考试")
    dialog.kind.setCurrentIndex(dialog.kind.findData("exam"))
    assert dialog.suggestions_off.isChecked() and dialog.limit.value() == 300  # an exam's defaults
    dialog.scenario_filter.setText("路灯")
    assert dialog.scenarios.item(0).isHidden() and not dialog.scenarios.item(1).isHidden()
    tick(dialog.scenarios, "s-light")
    dialog.scenario_filter.clear()
    tick(dialog.scenarios, "s-noise")
    assert "1. 路灯不亮；2. 夜间工地施工噪音" in dialog.order_label.text()
    tick(dialog.trainees, "1001")
    tick(dialog.trainees, "2001")
    dialog.teams["二班"].setChecked(True)
    dialog.has_due.setChecked(True)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [post] = wait_calls(qtbot, api, "POST", ASSIGNMENTS)
    body = post.json_body
    due = body.pop("due_at")
    assert body == {"title": "十二月考试", "kind": "exam", "scenario_ids": ["s-light", "s-noise"],
                    "time_limit_seconds": 300, "suggestions_off": True, "trainees": ["1001", "2001"],
                    "teams": ["二班"]}
    assert due.endswith("+08:00")
    qtbot.waitUntil(lambda: "已布置“十二月考试”" in page.message.text(), timeout=5000)
    assert len(api.sent("GET", ASSIGNMENTS)) == 2 and not dialog.isVisible()


def test_missing_choices_and_refusals_are_said_in_words(qtbot: Any, tasks: TaskManager) -> None:
    api = assignment_api()
    api.routes[("POST", ASSIGNMENTS)] = SyncError(SyncErrorKind.REJECTED, "bad trainee", code="not_a_trainee")
    dialog = AssignDialog(api=api, tasks=tasks, city=demo_city())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.scenarios.count() == 2, timeout=5000)
    dialog.submit()
    assert dialog.message.text() == "请填写标题。"
    type_chinese(dialog.title_edit, "练习")
    dialog.submit()
    assert dialog.message.text() == "请至少勾选一个场景。"
    tick(dialog.scenarios, "s-noise")
    dialog.submit()
    assert dialog.message.text() == "请勾选参加的学员或班组。"
    assert api.sent("POST", ASSIGNMENTS) == []
    dialog.teams["一班"].setChecked(True)
    dialog.submit()
    wait_calls(qtbot, api, "POST", ASSIGNMENTS)
    qtbot.waitUntil(lambda: "所选人员中有人不存在" in dialog.message.text(), timeout=5000)
    assert dialog.isVisible() and dialog.create_button.isEnabled()


def test_the_trainers_dialogs_and_page_fit_a_1280_by_720_screen(qtbot: Any, tasks: TaskManager) -> None:
    from ui.training.manage.from_case_dialog import FromCaseDialog
    from ui.training.manage.page import TrainingManagePage

    city = demo_city()
    api = assignment_api()
    made = [AssignDialog(api=api, tasks=tasks, city=city), FromCaseDialog(api=api, tasks=tasks),
            TrainingManagePage(api=api, tasks=tasks, me=city.roster["3001"], city=city)]
    for widget in made:
        qtbot.addWidget(widget)
        hint = widget.minimumSizeHint()
        assert hint.width() <= 1260 and hint.height() <= 620, (type(widget).__name__, hint)
        assert widget.width() <= 1280 and widget.height() <= 680

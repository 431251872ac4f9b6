"""After sign-in the desk opens the workspaces the person's role allows (contract/roles.py), and says who they are.

The team lead's workbench lives in ui/lead/workbench.py; these tests put a small stand-in module in its place so the
shell's part (which workspace, in which order, how it is reached, what it is given) is tested on its own.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from operator_app.seat import Seat
from sync.engine import SyncEngine
from tests.ui.conftest import offline_engine
from ui.cases.list_view import CaseListView
from ui.intake.form import CaseForm
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow
from ui.shell.workspace_pages import TrainingSlot
from ui.training.manage.page import TrainingManagePage


class StandInWorkbench(QWidget):
    """Takes what the real Workbench takes (issue 15 plan) and remembers it."""

    made: list[StandInWorkbench] = []

    def __init__(self, *, api: Callable[..., Any], tasks: object, me: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me = api, tasks, me
        StandInWorkbench.made.append(self)


@pytest.fixture
def stand_in_workbench(monkeypatch: pytest.MonkeyPatch) -> type[StandInWorkbench]:
    module = types.ModuleType("ui.lead.workbench")
    module.Workbench = StandInWorkbench  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.lead.workbench", module)
    StandInWorkbench.made = []
    return StandInWorkbench


def sign_in(qtbot, controller: DeskController, work_number: str) -> DeskWindow:  # type: ignore[no-untyped-def]
    controller.show_login()
    controller.login(work_number)
    desk = controller.desk
    assert desk is not None  # closed by the controller fixture (or by logout), not by qtbot
    desk.show()
    qtbot.waitExposed(desk)
    qtbot.waitUntil(lambda: desk.ready, timeout=5000)
    return desk


def every_widget() -> list[QWidget]:
    """Every widget of every window on screen (earlier tests' closed windows may linger until deleted)."""
    return [w for top in QApplication.topLevelWidgets() if top.isVisible() for w in [top, *top.findChildren(QWidget)]]


def who_text(desk: DeskWindow) -> str:
    return " ".join(label.text() for label in desk.statusBar().findChildren(QLabel))


def tab_titles(desk: DeskWindow) -> list[str]:
    return [desk.tabs.tabText(i) for i in range(desk.tabs.count())]


def test_a_trainer_never_sees_the_intake_form(qtbot, controller: DeskController) -> None:  # type: ignore[no-untyped-def]
    desk = sign_in(qtbot, controller, "3001")
    assert desk.isVisible() and not desk.findChildren(CaseForm) and not desk.findChildren(CaseListView)
    assert not [w for w in every_widget() if isinstance(w, CaseForm | CaseListView)]
    assert tab_titles(desk) == ["培训管理"]
    slot = desk.tabs.currentWidget()
    assert isinstance(slot, TrainingSlot) and isinstance(slot.page, TrainingManagePage)  # the engine is up here
    assert slot.page.me.id == "3001" and slot.page.isVisible()
    assert "培训师" in who_text(desk) and "话务员" not in who_text(desk)
    menu_texts = {a.text() for m in desk.menuBar().actions() for a in m.menu().actions()}
    assert "新建工单" not in menu_texts and "提交工单" not in menu_texts
    QTest.keyClick(desk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # an operator's key does nothing here
    QTest.keyClick(desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not [w for w in every_widget() if isinstance(w, CaseForm)]
    desk.sync_indicator.rejected_clicked.emit()  # a refused case of an operator on this seat: words, no form
    assert "话务员登录后修改" in desk.statusBar().currentMessage()
    assert not [w for w in every_widget() if isinstance(w, CaseForm)]
    controller.logout()  # hands over like anyone else: no draft to save, the login comes back
    assert controller.desk is None and controller.login_window is not None


def test_an_operator_gets_intake_and_my_cases_and_no_workbench(  # type: ignore[no-untyped-def]
    qtbot, controller: DeskController, stand_in_workbench: type[StandInWorkbench]
) -> None:
    desk = sign_in(qtbot, controller, "1001")
    assert tab_titles(desk) == ["工单受理", "我的工单", "练习", "回访", "网络渠道"]
    assert desk.tabs.currentIndex() == 0 and desk.form.isVisible()
    assert stand_in_workbench.made == []
    assert "话务员 李晓梅 1001" in who_text(desk)


def test_a_team_lead_opens_on_the_workbench_and_reaches_intake_by_keyboard(  # type: ignore[no-untyped-def]
    qtbot, controller: DeskController, stand_in_workbench: type[StandInWorkbench]
) -> None:
    desk = sign_in(qtbot, controller, "2001")
    assert tab_titles(desk) == ["班组长工作台", "工单受理", "我的工单", "练习", "回访", "网络渠道"]
    [workbench] = stand_in_workbench.made
    assert desk.tabs.currentIndex() == 0 and workbench.isVisible()
    assert workbench.me.id == "2001" and workbench.tasks is controller.tasks  # type: ignore[attr-defined]
    assert controller.engine is not None and workbench.api == controller.engine.api
    assert "班组长" in who_text(desk) and "话务员" not in who_text(desk)
    QTest.keyClick(desk, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert desk.form.isVisible() and not workbench.isVisible()
    QTest.keyClick(desk, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is desk.form.caller.phone
    QTest.keyClick(desk, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert workbench.isVisible() and not desk.form.isVisible()


def test_the_workbench_waits_for_the_central_server_connection(  # type: ignore[no-untyped-def]
    qtbot, tmp_path, migrated_db, stand_in_workbench: type[StandInWorkbench]
) -> None:
    """Signed in before the engine is set up (offline, at once): the area says so, then fills in by itself."""
    from operator_app.seat import open_seat
    from tests.conftest import fresh_seat_dir
    from ui.shell.app import make_application

    make_application()
    seat: Seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat, lambda: offline_engine(seat))
    try:
        desk = sign_in(qtbot, ctl, "2001")
        page = desk.tabs.currentWidget()
        assert "未连接中心服务器" in " ".join(label.text() for label in page.findChildren(QLabel))
        assert stand_in_workbench.made == []
        ctl._start_engine()
        qtbot.waitUntil(lambda: len(stand_in_workbench.made) == 1, timeout=10000)
        engine: SyncEngine | None = ctl.engine
        assert engine is not None and stand_in_workbench.made[0].api == engine.api
        assert desk.tabs.currentIndex() == 0 and stand_in_workbench.made[0].isVisible()
    finally:
        if ctl.desk is not None:
            ctl.desk.close()
        ctl.shutdown()


def test_the_status_bar_names_each_role(qtbot, controller: DeskController) -> None:  # type: ignore[no-untyped-def]
    desk = sign_in(qtbot, controller, "1002")
    assert "话务员" in who_text(desk)
    controller.logout()
    assert controller.desk is None
    desk = sign_in(qtbot, controller, "3001")
    assert "培训师" in who_text(desk)


@pytest.mark.parametrize(("work_number", "has", "lacks"), [
    ("1001", {"Ctrl+1", "Ctrl+2", "Ctrl+5", "Ctrl+6", "Ctrl+N"}, {"Ctrl+3", "Ctrl+4"}),
    ("2001", {"Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+5", "Ctrl+6", "Ctrl+N"}, {"Ctrl+4"}),
    ("3001", {"Ctrl+4", "Ctrl+Shift+L"}, {"Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+5", "Ctrl+6", "Ctrl+N", "Ctrl+Return", "F4"}),
])
def test_each_role_has_the_keys_its_help_lists(  # type: ignore[no-untyped-def]
    qtbot, controller: DeskController, stand_in_workbench: type[StandInWorkbench], work_number: str,
    has: set[str], lacks: set[str]
) -> None:
    from ui.common.shortcuts import ShortcutsDialog

    desk = sign_in(qtbot, controller, work_number)
    bound = {act.shortcut().toString() for m in desk.menuBar().actions() for act in m.menu().actions()}
    assert has <= bound and not lacks & bound
    QTest.keyClick(desk, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in desk.findChildren(ShortcutsDialog)), timeout=3000)
    dialog = next(d for d in desk.findChildren(ShortcutsDialog) if d.isVisible())
    table = dialog.table
    listed = {table.item(i, 0).text() for i in range(table.rowCount())}  # as shown: "Ctrl+回车"

    def shown(keys: set[str]) -> set[str]:
        return {QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) for key in keys}

    listed_keys = {key for key in listed if key.startswith(("Ctrl", "F"))}
    assert listed_keys <= shown(bound), listed_keys - shown(bound)  # the help lists no key this desk lacks
    assert shown(has) <= listed
    dialog.reject()

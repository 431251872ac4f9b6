"""Login, logout and shift change on one seat; the draft survives a crash; keyboard paths and help."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableWidget
from sqlalchemy import select

from operator_app.seat import open_seat
from operator_app.services.drafts import load_draft
from operator_app.store import schema
from sync.secrets import make_verifier, verifier_key
from tests.core.helpers import direct_form
from tests.ui.conftest import offline_engine, type_ascii, type_chinese
from ui.cases.detail_dialog import CaseDetailDialog
from ui.common import shortcuts
from ui.common.shortcuts import ShortcutsDialog
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow


def test_login_refuses_unknown_work_number(qtbot, controller: DeskController) -> None:  # type: ignore[no-untyped-def]
    controller.show_login()
    window = controller.login_window
    assert window is not None
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    type_ascii(window.work_number, "9999")
    QTest.keyClick(window.work_number, Qt.Key.Key_Return)
    assert window.error.text() == "工号“9999”不在本市话务员名册中，请核对"
    assert controller.desk is None
    window.work_number.clear()
    type_chinese(window.work_number, "王建国")
    assert window.who.text().startswith("王建国")
    QTest.keyClick(window.work_number, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.password
    QTest.keyClick(window.password, Qt.Key.Key_Return)
    assert window.error.text() == "请输入密码"
    type_ascii(window.password, "demo-12345")
    QTest.keyClick(window.password, Qt.Key.Key_Return)
    # The central server is down: the operator still gets the desk, offline, and the login is retried later.
    qtbot.waitUntil(lambda: controller.desk is not None, timeout=10000)
    assert controller.session is not None and controller.session.operator.name == "王建国"
    assert controller.engine.logged_in and "离线登录" in controller.desk.statusBar().currentMessage()


def test_draft_comes_back_after_a_crash(qtbot, desk: DeskWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    type_ascii(desk.form.caller.phone, "13800138000")
    type_chinese(desk.form.appeal.content.edit, "市民反映路灯不亮已经三天")
    desk.form.caller.needs["dialect"].setChecked(True)
    qtbot.waitUntil(lambda: (d := load_draft(desk.seat.store, operator_id="1001")) is not None
                    and d.content == "市民反映路灯不亮已经三天" and "dialect" in d.special_needs, timeout=5000)
    # The process dies here: nothing is closed or saved on the way out. A new process opens the same store.
    seat = open_seat(desk.seat.data_dir)
    ctl = DeskController(seat, offline_engine(seat))
    ctl.login("1001")
    again = ctl.desk
    assert again is not None
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.ready, timeout=5000)
    assert again.form.appeal.content.edit.toPlainText() == "市民反映路灯不亮已经三天"
    assert again.form.caller.phone.text() == "13800138000"
    assert again.form.caller.needs["dialect"].isChecked()
    ctl.shutdown()


def test_shift_change_keeps_each_operators_queue(qtbot, controller: DeskController) -> None:  # type: ignore[no-untyped-def]
    city = controller.seat.city
    controller.show_login()
    controller.login("1001")
    a = controller.desk
    assert a is not None
    qtbot.waitUntil(lambda: a.ready, timeout=5000)
    a.form.load(direct_form(city, content="甲班受理的咨询"))
    with qtbot.waitSignal(a.case_submitted, timeout=5000):
        a.submit()
    a.number_dialog.accept()  # type: ignore[union-attr]
    a.form.load(direct_form(city, content="甲没说完的草稿"))
    logout = next(act for act in a.actions() + [x for m in a.menuBar().actions() for x in m.menu().actions()]
                  if act.shortcut().toString() == shortcuts.LOGOUT)
    logout.trigger()
    assert controller.desk is None and controller.login_window is not None
    controller.tasks.write(lambda: None).result(5)  # let the logout writes land
    controller.show_login()
    queue_label = controller.login_window.queue
    qtbot.waitUntil(lambda: "待同步 1 条" in queue_label.text(), timeout=3000)
    controller.login("1002")
    b = controller.desk
    assert b is not None
    qtbot.waitUntil(lambda: b.ready, timeout=5000)
    assert b.form.appeal.content.edit.toPlainText() == ""  # A's draft is A's
    b.form.load(direct_form(city, content="乙班受理的咨询"))
    with qtbot.waitSignal(b.case_submitted, timeout=5000):
        b.submit()
    with controller.seat.store.read() as conn:
        rows = conn.execute(select(schema.outbox.c.operator_id, schema.outbox.c.seq)
                            .order_by(schema.outbox.c.seq)).all()
        sessions = conn.execute(select(schema.shift_sessions.c.operator_id, schema.shift_sessions.c.logout_at)
                                .order_by(schema.shift_sessions.c.id)).all()
    assert [r.operator_id for r in rows] == ["1001", "1002"]
    assert sessions[0].operator_id == "1001" and sessions[0].logout_at is not None
    assert sessions[-1].operator_id == "1002" and sessions[-1].logout_at is None
    qtbot.waitUntil(lambda: [r.number for r in b.model.rows] != [] and len(b.model.rows) == 1, timeout=5000)
    assert load_draft(controller.seat.store, operator_id="1001").content == "甲没说完的草稿"  # type: ignore[union-attr]


def test_every_listed_shortcut_is_bound(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    bound = {act.shortcut().toString() for m in desk.menuBar().actions() for act in m.menu().actions()}
    for key, _ in shortcuts.shortcut_rows():
        if key.startswith(("Ctrl", "F", "Alt")):
            assert key in bound, key
    QTest.keyClick(desk, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in desk.findChildren(ShortcutsDialog)), timeout=3000)
    dialog = next(d for d in desk.findChildren(ShortcutsDialog) if d.isVisible())
    table = dialog.findChild(QTableWidget)
    assert table.rowCount() == len(shortcuts.shortcut_rows()) and table.item(1, 1).text() == "提交工单"
    dialog.reject()
    desk.activateWindow()
    QTest.keyClick(desk, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is desk.form.appeal.content.edit
    QTest.keyClick(desk, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is desk.form.appeal.category
    QTest.keyClick(desk, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert desk.tabs.currentWidget() is desk.cases and QApplication.focusWidget() is desk.cases.search


def test_tab_walks_the_form_in_order(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    form = desk.form
    form.disposition.buttons["dispatch"].setChecked(True)
    form.caller.name.setFocus()
    visited = []
    for _ in range(40):
        visited.append(QApplication.focusWidget())
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    expected = [form.caller.name, form.caller.phone, form.caller.callback, form.appeal.channel,
                form.appeal.appeal_type, form.appeal.category, form.appeal.district, form.appeal.address,
                form.appeal.content.edit, form.appeal.request, form.disposition.lead, form.submit_button]
    positions = [visited.index(w) for w in expected]
    assert positions == sorted(positions)


def test_my_cases_search_and_open_with_enter(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    city = desk.seat.city
    for text in ("供暖不热", "物业乱收费", "供暖停了"):
        desk.form.load(direct_form(city, content=text))
        with qtbot.waitSignal(desk.case_submitted, timeout=5000):
            desk.submit()
        desk.number_dialog.accept()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk, timeout=3000)
    assert QApplication.focusWidget() is desk.form.caller.phone  # ready for the next caller
    QTest.keyClick(desk, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert desk.tabs.currentWidget() is desk.cases
    qtbot.waitUntil(lambda: len(desk.model.rows) == 3, timeout=5000)
    type_chinese(desk.cases.search, "供暖")
    qtbot.waitUntil(lambda: len(desk.model.rows) == 2 and desk.cases.count.text() == "共 2 件", timeout=5000)
    desk.cases.table.setFocus()
    desk.cases.table.selectRow(0)
    QTest.keyClick(desk.cases.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(desk.findChildren(CaseDetailDialog)), timeout=5000)
    dialog = desk.findChildren(CaseDetailDialog)[0]
    assert dialog.windowTitle().startswith("工单 ") and dialog.isVisible()


def test_offline_login_is_checked_against_the_cached_verifier(qtbot, controller: DeskController) -> None:  # type: ignore[no-untyped-def]
    """The server is down; 1001 logged in at this seat before, so the password is checked here and now."""
    engine = controller.engine
    assert engine is not None
    seat_id = controller.seat.store.seat.seat_id
    engine.secrets.set(verifier_key(seat_id, "1001"), make_verifier(seat_id, "1001", "right-password"))
    controller.show_login()
    window = controller.login_window
    assert window is not None
    controller.login("1001", "wrong-password")
    qtbot.waitUntil(lambda: window.error.text() == "工号或密码错误", timeout=10000)
    assert controller.desk is None and not engine.logged_in
    controller.login("1001", "right-password")
    qtbot.waitUntil(lambda: controller.desk is not None, timeout=10000)
    assert engine.logged_in  # proven again by the server at the next pass

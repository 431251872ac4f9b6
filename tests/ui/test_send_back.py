"""退回修改 at the desk: operator 1001 sees the case a team lead sent back, opens it, corrects it in the form (typing
Chinese) and resubmits it with the same number; and the handling time a new case records."""

from __future__ import annotations

import json
import uuid

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from contract.names import CASE_EVENT, ENTITY_CASE_EVENT
from contract.protocol import Change
from operator_app.services.intake import submit_case
from operator_app.store import schema
from sync.outbox import pending_batch
from sync.pull_apply import apply_pulled
from tests.core.helpers import dispatch_form
from tests.ui.conftest import type_chinese
from tests.ui.test_case_entry import fill_dispatch_case
from ui.cases.detail_dialog import CaseDetailDialog
from ui.shell.desk_window import DeskWindow

REASON = "诉求内容不完整，请补充具体楼层"


def send_back_pulled(desk: DeskWindow, case_id: str, number: str) -> None:
    """The lead's send-back as the seat's pull applies it (the server's event, seq 2)."""
    change = Change(entity=ENTITY_CASE_EVENT, id=str(uuid.uuid4()), op="upsert", version=7, data={
        "case_id": case_id, "number": number,
        "event": {"id": str(uuid.uuid4()), "seq": 2, "kind": "returned_for_correction", "payload": {"reason": REASON},
                  "operator_id": "2001", "recorded_at": "2026-03-01T09:00:00.000+00:00"}})
    apply_pulled(desk.seat.store, [change], 7)
    desk.sync.cases_changed.emit({case_id})


def test_operator_corrects_a_case_sent_back(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    city = desk.seat.city
    created = submit_case(desk.seat.store, city, form=dispatch_form(city, content="楼上漏水"), operator_id="1001")
    with desk.seat.store.write() as conn:  # synced: only the correction will wait in the outbox
        conn.execute(schema.outbox.delete())
    send_back_pulled(desk, created.case_id, created.number)

    # The status bar counts it; the button lists it in "my cases" with the lead's reason.
    badge = desk.cases.sent_back
    qtbot.waitUntil(lambda: badge.isVisible() and badge.text() == "1 件退回修改", timeout=5000)
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert desk.tabs.currentWidget() is desk.cases
    qtbot.waitUntil(lambda: [r.number for r in desk.model.rows] == [created.number], timeout=5000)
    assert desk.model.item(0, 2).text() == f"退回修改：{REASON}"

    # Enter opens it; the dialog shows the reason and offers the correction.
    desk.cases.table.setFocus()
    desk.cases.table.selectRow(0)
    QTest.keyClick(desk.cases.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.findChild(CaseDetailDialog) is not None, timeout=5000)
    dialog = desk.findChild(CaseDetailDialog)
    assert dialog is not None and dialog.correct_button is not None
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)

    # The form holds the case, same number, with the reason above it.
    form = desk.form
    qtbot.waitUntil(lambda: form.appeal.content.edit.toPlainText() == "楼上漏水", timeout=5000)
    assert desk.tabs.currentIndex() == 0
    assert form.banner.isVisible() and created.number in form.banner.text() and REASON in form.banner.text()
    assert form.submit_button.text() == "提交更正 (Ctrl+Enter)"
    form.appeal.content.edit.moveCursor(form.appeal.content.edit.textCursor().MoveOperation.End)
    type_chinese(form.appeal.content.edit, "，三楼东户卫生间")
    desk.activateWindow()  # the dialog has closed: its window manager gives the desk the keyboard back
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(form.appeal.content.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].number == created.number

    [mutation] = pending_batch(desk.seat.store)
    assert mutation.name == CASE_EVENT and mutation.entity_id == created.case_id and mutation.operator_id == "1001"
    event = mutation.args["event"]
    assert event["kind"] == "corrected" and event["seq"] == 3
    assert event["payload"]["fields"]["content"] == "楼上漏水，三楼东户卫生间"
    assert not form.banner.isVisible() and form.appeal.content.edit.toPlainText() == ""
    qtbot.waitUntil(lambda: not badge.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: desk.model.rows == [], timeout=5000)  # nothing sent back any more


def test_handling_time_runs_from_the_first_edit(qtbot, desk: DeskWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr("ui.intake.form.clock", lambda: now[0])
    now[0] = 1500.0  # the form sat open between calls: that is not handling time
    fill_dispatch_case(qtbot, desk)
    now[0] = 1500.0 + 187.6
    with qtbot.waitSignal(desk.case_submitted, timeout=5000):
        QTest.keyClick(desk.form.appeal.content.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [mutation] = pending_batch(desk.seat.store)
    assert mutation.args["event"]["payload"]["handling_seconds"] == 187
    assert json.dumps(mutation.args)
    # The next case's clock starts at its own first edit.
    assert desk.form.handling_seconds() == 0.0

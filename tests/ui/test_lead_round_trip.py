"""The team lead's day on the embedded default, end to end through the desk itself: lead 2001 signs in and the
workbench shows the demo shift (every filter counted, the KPIs with their charts, hot spots); the lead sends a case
back; operator 1001 sees it on the desk, corrects it and resubmits it with the same number; the lead sees the
correction in the case's history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from central_server.embedded import EmbeddedServer
from operator_app.services.case_queries import outbox_summary
from operator_app.services.intake import submit_case
from tests.core.helpers import dispatch_form
from tests.ui.conftest import type_chinese
from tests.ui.embedded_desk import desk_controller, embedded_server, sign_in
from ui.cases.detail_dialog import CaseDetailDialog
from ui.lead.case_reason import ReasonDialog
from ui.lead.hotspot_page import HotspotPage
from ui.lead.kpi_page import KpiPage
from ui.lead.queue_page import QueuePage
from ui.lead.workbench import Workbench
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow

REASON = "地址缺少门牌号，请补充"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    """The embedded default's server: the demo city with its demo shift seeded on first start."""
    with embedded_server(tmp_path, demo_shift=True) as srv:
        yield srv


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    with desk_controller(tmp_path, migrated_db, server) as ctl:
        yield ctl


def synced(qtbot: Any, desk: DeskWindow) -> None:
    """A sync pass that leaves nothing pending (the seat's queue reached the centre)."""
    desk.sync.run_now()
    qtbot.waitUntil(lambda: outbox_summary(desk.seat.store).pending == 0, timeout=20_000)


def workbench_of(qtbot: Any, desk: DeskWindow) -> Workbench:
    qtbot.waitUntil(lambda: desk.findChild(Workbench) is not None, timeout=20_000)
    bench = desk.findChild(Workbench)
    assert bench is not None and desk.tabs.currentWidget() is desk.pages["workbench"]
    return bench


def count(page: QueuePage, key: str) -> int:
    return int(page.filter_buttons[key].text().rsplit(" ", 1)[-1])


def show_range(qtbot: Any, bench: Workbench, start: datetime, end: datetime) -> QueuePage:
    queue: QueuePage = bench.page(QueuePage)
    qtbot.waitUntil(lambda: bench.shift is not None, timeout=20_000)  # the current shift's own load is over
    bench.set_range(start, end)
    qtbot.waitUntil(lambda: queue.answer is not None and
                    datetime.fromisoformat(queue.answer["from"]) == start, timeout=20_000)
    return queue


def open_case(qtbot: Any, queue: QueuePage, number: str) -> Any:
    dialog = queue.open_case(number)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    return dialog


def test_a_lead_reviews_the_demo_shift_and_a_case_sent_back_comes_back_corrected(
        qtbot: Any, controller: DeskController, monkeypatch: pytest.MonkeyPatch) -> None:
    ctl = controller
    # Operator 1001 takes a call at this seat; it reaches the centre.
    desk = sign_in(qtbot, ctl, "1001")
    city = desk.seat.city
    created = submit_case(desk.seat.store, city, form=dispatch_form(city, content="小区东门路灯不亮"),
                          operator_id="1001")
    synced(qtbot, desk)

    # The lead signs in: the workbench comes first and shows the demo shift.
    desk = sign_in(qtbot, ctl, "2001")
    bench = workbench_of(qtbot, desk)
    now = datetime.now(UTC)
    queue = show_range(qtbot, bench, now - timedelta(days=30), now + timedelta(hours=1))
    counted = {key: count(queue, key) for key in queue.filter_buttons}
    assert counted["all"] >= 150, counted
    assert all(n > 0 for key, n in counted.items() if key != "correcting"), str(counted)  # nobody sent back yet
    assert queue.filter_buttons["unsynced_seats"].isVisible()  # two demo seats have not synced everything
    kpis: KpiPage = bench.page(KpiPage)
    # The board counts the same cases as the queue, for the same range.
    qtbot.waitUntil(lambda: kpis.figures is not None and kpis.figures.get("cases") == counted["all"], timeout=20_000)
    shown = {key: tile.value.text() for key, tile in kpis.tiles.items()}
    assert "无数据" not in shown.values(), shown  # demo calls, responses, completions and return visits exist
    assert sum(kpis.per_hour.values()) == counted["all"]
    spots: HotspotPage = bench.page(HotspotPage)
    qtbot.waitUntil(lambda: spots.spot_table.rowCount() > 0, timeout=20_000)

    # The lead sends the operator's case back with a reason.
    dialog = open_case(qtbot, queue, created.number)

    def answer(self: ReasonDialog) -> int:
        self.text.setPlainText(REASON)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ReasonDialog, "exec", answer)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.action_buttons["return_for_correction"].click()
    assert dialog.values["status"].text() == "退回修改"
    dialog.close()

    # Operator 1001 signs in again: the case is on the desk with the lead's reason; they correct and resubmit.
    desk = sign_in(qtbot, ctl, "1001")
    badge = desk.cases.sent_back
    qtbot.waitUntil(lambda: badge.isVisible() and badge.text() == "1 件退回修改", timeout=20_000)
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [r.number for r in desk.model.rows] == [created.number], timeout=5000)
    assert REASON in desk.model.item(0, 2).text()
    desk.cases.table.setFocus()
    desk.cases.table.selectRow(0)
    QTest.keyClick(desk.cases.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.findChild(CaseDetailDialog) is not None, timeout=5000)
    detail = desk.findChild(CaseDetailDialog)
    assert detail is not None and detail.correct_button is not None
    qtbot.mouseClick(detail.correct_button, Qt.MouseButton.LeftButton)
    content = desk.form.appeal.content.edit
    qtbot.waitUntil(lambda: content.toPlainText() == "小区东门路灯不亮", timeout=5000)
    content.moveCursor(content.textCursor().MoveOperation.End)
    type_chinese(content, "，幸福路12号")
    desk.activateWindow()
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(content, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].number == created.number
    synced(qtbot, desk)

    # The lead sees the correction in the case's history, by the operator, and the case dispatched again.
    desk = sign_in(qtbot, ctl, "2001")
    bench = workbench_of(qtbot, desk)
    now = datetime.now(UTC)
    queue = show_range(qtbot, bench, now - timedelta(hours=4), now + timedelta(hours=1))
    assert count(queue, "correcting") == 0
    dialog = open_case(qtbot, queue, created.number)
    labels = [(label, actor) for _when, label, actor, _why in dialog.history_rows()]
    assert labels[-2:] == [("退回修改", "黄秀英（2001）"), ("更正后重新提交", "李晓梅（1001）")], labels
    assert dialog.values["status"].text() == "已派单"
    dialog.close()

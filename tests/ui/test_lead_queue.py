"""The team lead's workbench against a real embedded server: lead 2001 signed in at a seat, the queue through
SyncEngine.api on the network thread, as the desk will run it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.embedded import EmbeddedServer
from central_server.services import dispatch
from operator_app.seat import Seat, open_seat
from sync.embedded import DEMO_PASSWORD
from tests.conftest import fresh_seat_dir
from tests.integration.conftest import engine_for, start_server
from tests.server.lead_builder import CaseBuilder, routing_record
from ui.common.tasks import TaskManager
from ui.lead.case_reason import ReasonDialog
from ui.lead.queue_page import QueuePage
from ui.lead.workbench import Workbench

FACTS = load_city_facts(resources_dir(Settings()))
H = timedelta(hours=1)


@dataclass
class LeadDesk:
    server: EmbeddedServer
    url: str
    seat: Seat
    tasks: TaskManager
    workbench: Workbench
    numbers: dict[str, str]

    @property
    def queue(self) -> QueuePage:
        page: QueuePage = self.workbench.page(QueuePage)
        return page


def _shift_cases(url: str) -> dict[str, str]:
    """Five cases of 一班 in the last hours, one of 二班, with known flags."""
    engine = make_engine(url)
    session = session_factory(engine)()
    now = datetime.now(UTC)
    try:
        b = CaseBuilder(session, FACTS.city)
        soon: dict[str, Any] = {"respond_in": 4 * H}
        n = {
            "late": b.add(operator="1001", accepted=now - 2 * H, respond_in=H, content="小区路灯不亮已一周"),
            "elderly": b.add(operator="1002", accepted=now - H, special_needs=["elderly"], content="独居老人求助", **soon),
            "unsure": b.add(operator="1003", accepted=now - 1.5 * H, routing=routing_record(0.2, overridden=True),
                            content="噪音扰民", street="湖滨街道", **soon),
            "urgent": b.add(operator="1001", accepted=now - 0.5 * H, urgency="urgent", urgency_reason="燃气泄漏",
                            content="闻到燃气味", **soon),
            "signed": b.add(operator="1004", accepted=now - 3 * H, content="物业不作为", **soon),
            "other": b.add(operator="1011", accepted=now - H, seat_code="S011", content="二班的工单", **soon),
        }
        b.commit()
        dispatch.act(session, case_number=n["signed"], action="sign", department_id=None, reason=None,
                     new_finish_by=None, acted_by="admin", departments=FACTS.departments, timezone=FACTS.timezone)
        return n
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def lead_desk(qtbot: Any, tmp_path: Path, migrated_db: Path) -> Iterator[LeadDesk]:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    server = start_server(url)
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    engine = engine_for(seat, server.url)
    engine.login("2001", DEMO_PASSWORD)
    numbers = _shift_cases(url)
    tasks = TaskManager()
    now = datetime.now(UTC)
    workbench = Workbench(api=engine.api, tasks=tasks, me=seat.city.roster["2001"])
    qtbot.addWidget(workbench)
    workbench.resize(1280, 720)
    workbench.show()
    desk = LeadDesk(server, server.url, seat, tasks, workbench, numbers)
    qtbot.waitUntil(lambda: desk.queue.answer is not None, timeout=10_000)
    # The current shift may have started moments ago: look at the last four hours instead.
    with qtbot.waitSignal(desk.queue.painted, timeout=10_000):
        workbench.set_range(now - 4 * H, now + H)
    try:
        yield desk
    finally:
        if desk.queue.dialog is not None:
            desk.queue.dialog.close()
        workbench.close()
        tasks.shutdown()
        seat.close()
        server.stop()


def _numbers(page: QueuePage) -> list[str]:
    return [str(r["number"]) for r in page.model.visible_rows()]


def test_queue_shows_the_team_with_counts_and_filters(lead_desk: LeadDesk, qtbot: Any) -> None:
    page, n = lead_desk.queue, lead_desk.numbers
    team = {n[k] for k in ("late", "elderly", "unsure", "urgent", "signed")}
    assert set(_numbers(page)) == team and n["other"] not in _numbers(page)
    assert _numbers(page)[0] == n["elderly"]  # special-needs callers first
    counts = {key: page.filter_buttons[key].text() for key in ("all", "overdue", "urgent", "low_confidence")}
    assert counts == {"all": "全部 5", "overdue": "超时 1", "urgent": "紧急 1", "low_confidence": "低置信派单 1"}
    assert page.model.rowCount() == 5 and page.model.columnCount() == 12
    # The overdue row is highlighted; personal data is masked in the table.
    row = _numbers(page).index(n["late"])
    assert page.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "张三" not in str([page.model.index(r, 8).data() for r in range(5)])
    # A filter by its shortcut narrows the rows; search narrows further; 全部 shows them all again.
    page.table.setFocus()
    QTest.keyClick(page, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert _numbers(page) == [n["late"]] and page.filter_buttons["overdue"].isChecked()
    page.filter_buttons["all"].click()
    page.search.setText("湖滨")
    assert _numbers(page) == [n["unsure"]]
    page.search.setText(n["urgent"])
    assert _numbers(page) == [n["urgent"]]
    page.search.clear()
    page.set_filter("low_confidence")
    assert _numbers(page) == [n["unsure"]]
    page.set_filter("all")
    page.model.sort(0, Qt.SortOrder.AscendingOrder)
    assert _numbers(page) == sorted(team)
    assert lead_desk.workbench.width() <= 1280 and lead_desk.workbench.minimumSizeHint().width() <= 1280


def test_send_back_from_the_case_dialog_shows_in_the_history(lead_desk: LeadDesk, qtbot: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    page, n = lead_desk.queue, lead_desk.numbers
    page.table.selectRow(_numbers(page).index(n["late"]))
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert dialog is not None and dialog.number == n["late"]
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    assert dialog.values["phone"].text().count("*") == 4
    assert dialog.action_buttons["return_for_correction"].isEnabled()

    def answer(self: ReasonDialog) -> int:  # the lead types a reason and presses 确定
        self.text.setPlainText("地址缺少门牌号，请补充")
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ReasonDialog, "exec", answer)
    # The history reloads, and the queue refreshes, after the action.
    with qtbot.waitSignal(page.painted, timeout=10_000), qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.action_buttons["return_for_correction"].click()
    when, label, actor, why = dialog.history_rows()[-1]
    assert (label, actor, why) == ("退回修改", "黄秀英（2001）", "地址缺少门牌号，请补充")
    assert when.startswith(datetime.now(FACTS.timezone).strftime("%Y-%m-%d"))
    assert dialog.values["status"].text() == "退回修改"
    assert not dialog.action_buttons["return_for_correction"].isEnabled()
    assert page.filter_buttons["correcting"].text() == "退回修改 1"
    # Revealing the phone asks a reason too and shows the whole number.
    dialog.ask_reveal("phone")
    qtbot.waitUntil(lambda: "*" not in dialog.values["phone"].text(), timeout=10_000)
    assert len(dialog.values["phone"].text()) == 11


def test_export_csv_and_printable_report(lead_desk: LeadDesk, qtbot: Any, tmp_path: Path) -> None:
    page = lead_desk.queue
    page.set_filter("urgent")
    csv_path, html_path = tmp_path / "q.csv", tmp_path / "q.html"
    page.export_csv(csv_path)
    page.export_html(html_path)
    qtbot.waitUntil(lambda: csv_path.exists() and html_path.exists() and "已导出" in page.status.text(),
                    timeout=5000)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("工单编号,状态,受理时间") and len(lines) == 2
    assert lead_desk.numbers["urgent"] in lines[1] and "紧急" in lines[1]
    report = html_path.read_text(encoding="utf-8")
    assert "班次队列报表" in report and lead_desk.numbers["urgent"] in report and "共 1 件" in report

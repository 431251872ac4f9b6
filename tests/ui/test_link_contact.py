"""重复来电 end to end through the desk on the embedded server: another seat's open case is on the server; operator
1001 types a call from the same phone, the 可能是同一诉求 panel shows that case (asked of the server: this seat does
not hold it), Alt+L links the new contact to it, the number dialog gives the EXISTING number and no case is created;
the server shows one case with a 重复来电 event, and the third repeat raises exactly one 督办. Ctrl+U records a
催办 from 我的工单."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea
from sqlalchemy import func, select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer
from operator_app.services.case_queries import outbox_summary
from operator_app.services.contacts import link_contact
from sync.embedded import DEMO_PASSWORD
from tests.server.api_client import Api, SeatClient
from tests.server.contact_builder import created, number_of
from tests.ui.conftest import type_ascii, type_chinese
from tests.ui.embedded_desk import desk_controller, embedded_server
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow

PHONE = "13912345678"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path) as srv:
        yield srv


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    with desk_controller(tmp_path, migrated_db, server) as ctl:
        yield ctl


def other_seats_case(url: str) -> str:
    """Seat S002 (operator 1002) holds an open case of the caller; returns its number."""
    api = Api(url)
    auth = {"Authorization": f"Bearer {api.login('1002', DEMO_PASSWORD)['access_token']}"}
    seat_id = str(uuid.uuid4())
    resp = api.post("/seats/register", {"seat_id": seat_id, "seat_code": "S002"}, headers=auth)
    assert resp.status_code == 201, resp.text
    seat = SeatClient(api, seat_id, "S002", resp.json()["seat_credential"], auth)
    m = created(seat, 1, 1, operator="1002", phone=PHONE, content="幸福小区东门路灯坏了一个星期，晚上很黑",
                address="幸福小区东门")
    assert seat.push([m]).json()["results"][0]["status"] == "applied"
    return number_of(m)


def server_history(url: str, number: str) -> tuple[int, list[str]]:
    """(cases on the server, kinds of that case's events in order)."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
            case = session.scalars(select(Case).where(Case.number == number)).one()
            return cases, list(session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                                               .order_by(CaseEvent.seq)))
    finally:
        engine.dispose()


def sign_in(qtbot: Any, ctl: DeskController, operator_id: str) -> DeskWindow:
    ctl.show_login()
    ctl.login(operator_id, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: ctl.desk is not None and ctl.desk.ready, timeout=20_000)
    desk = ctl.desk
    assert desk is not None
    qtbot.waitUntil(lambda: desk.api is not None, timeout=10_000)
    return desk


def synced(qtbot: Any, desk: DeskWindow) -> None:
    desk.sync.run_now()
    qtbot.waitUntil(lambda: outbox_summary(desk.seat.store).pending == 0, timeout=20_000)


def test_a_repeat_call_is_linked_to_the_open_case_and_the_third_raises_supervision(
        qtbot: Any, controller: DeskController, server: EmbeddedServer, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'central.sqlite'}"
    number = other_seats_case(server.url)
    desk = sign_in(qtbot, controller, "1001")
    desk.activateWindow()
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)

    # The operator types the call; the panel shows the other seat's case, from the server.
    type_ascii(desk.form.caller.phone, PHONE)
    type_chinese(desk.form.appeal.content.edit, "东门的路灯还是不亮，已经打过电话了")
    panel = desk.same_issue.panel
    qtbot.waitUntil(lambda: [c["number"] for c in panel.candidates] == [number], timeout=10_000)
    assert not panel.offline and not panel.isHidden()
    assert panel.candidates[0]["phone_masked"] == "139****5678"
    assert "同一来电号码" in panel.list.item(0).text() and PHONE not in panel.list.item(0).text()
    # ... and the intake screen still fits 1280×720 with it: the assist column does not scroll.
    desk.resize(1280, 720)
    desk._routing_inputs_changed()
    qtbot.waitUntil(lambda: all(row.isVisible() for row in desk.routing.rows), timeout=10_000)
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)
    column = desk.findChild(QScrollArea, "assistColumn")
    assert column is not None and not column.verticalScrollBar().isVisible()

    # Alt+L: the link dialog shows the existing case and the new content; linking gives the existing number.
    QTest.keyClick(desk, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: desk.same_issue.link_dialog is not None and desk.same_issue.link_dialog.isVisible(),
                    timeout=5000)
    dialog = desk.same_issue.link_dialog
    assert dialog is not None
    assert dialog.values["number"].text() == number and dialog.values["reason"].text() == "同一来电号码"
    assert dialog.content() == "东门的路灯还是不亮，已经打过电话了"
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.number_dialog is not None and desk.number_dialog.isVisible(), timeout=5000)
    assert desk.number_dialog is not None and desk.number_dialog.number == number
    assert "重复来电" in desk.number_dialog.deadline.text()
    assert desk.form.appeal.content.edit.toPlainText() == "" and panel.isHidden()  # ready for the next caller
    desk.number_dialog.accept()
    synced(qtbot, desk)
    cases, kinds = server_history(database, number)
    assert (cases, kinds) == (1, ["created", "repeat_call"])  # no second case

    # Two more repeats: the third raises 督办, once.
    for _ in range(2):
        link_contact(desk.seat.store, desk.seat.city, case_number=number, content="又来电了", operator_id="1001")
    synced(qtbot, desk)
    assert server_history(database, number) == (1, ["created", "repeat_call", "repeat_call", "repeat_call",
                                                    "supervised"])

    # Ctrl+U: 催办 by number.
    QTest.keyClick(desk, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: desk.same_issue.urge_dialog is not None and desk.same_issue.urge_dialog.isVisible(),
                    timeout=5000)
    urge = desk.same_issue.urge_dialog
    assert urge is not None
    type_ascii(urge.number_edit, number)
    type_chinese(urge.text_edit, "市民催促尽快修好")
    urge.activateWindow()
    qtbot.waitUntil(urge.isActiveWindow, timeout=3000)
    QTest.keyClick(urge.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not urge.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: "已记录催办" in desk.statusBar().currentMessage(), timeout=5000)
    synced(qtbot, desk)
    assert server_history(database, number)[1][-1] == "urged"

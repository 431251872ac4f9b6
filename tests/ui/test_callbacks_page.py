"""The 回访 workspace on the embedded default, through the desk: operator 1001's case is completed by its
department; two hours later it is in the callback queue on the desk (Ctrl+6); Enter claims it, 3 picks 不满意, the
reason is required, Alt+S records it and the server has reopened the case to its department. With the server gone,
the page says it is offline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer
from central_server.services import callbacks, dispatch
from operator_app.services.intake import submit_case
from tests.core.helpers import dispatch_form
from tests.ui.conftest import type_chinese
from tests.ui.embedded_desk import desk_controller, embedded_server
from tests.ui.test_lead_round_trip import sign_in, synced
from ui.callbacks.page import CallbackPage
from ui.shell.app import DeskController

REASON = "噪音还在，晚上照样施工"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path) as srv:
        yield srv


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    with desk_controller(tmp_path, migrated_db, server) as ctl:
        yield ctl


def _department_completes(url: str, number: str) -> None:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            for action in ("sign", "complete"):
                dispatch.act(session, case_number=number, action=action, department_id=None,
                             reason="已责令施工方停止夜间施工" if action == "complete" else None, new_finish_by=None,
                             acted_by="test", departments=_departments(session, number), timezone=UTC)
    finally:
        engine.dispose()


def _departments(session: Any, number: str) -> dict[str, str]:
    case = session.scalars(select(Case).where(Case.number == number)).one()
    return {case.lead_department: case.lead_department}


def test_a_callback_is_claimed_and_recorded_by_keys(qtbot: Any, controller: DeskController, server: EmbeddedServer,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    desk = sign_in(qtbot, controller, "1001")
    created = submit_case(desk.seat.store, desk.seat.city, form=dispatch_form(desk.seat.city), operator_id="1001")
    synced(qtbot, desk)
    _department_completes(url, created.number)
    later = datetime.now(UTC) + timedelta(hours=2, minutes=1)  # resources/callbacks.toml: due 2 hours after 办结
    monkeypatch.setattr(callbacks, "clock", lambda: later)

    desk.activateWindow()
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)
    QTest.keyClick(desk, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: desk.findChild(CallbackPage) is not None, timeout=10_000)
    page = desk.findChild(CallbackPage)
    assert page is not None and desk.tabs.currentWidget() is desk.pages["callbacks"]
    qtbot.waitUntil(lambda: [r["number"] for r in page.rows] == [created.number], timeout=10_000)
    assert page.table.item(0, 4).text() == "138****8000"  # masked in the list

    page.table.setFocus()
    page.table.selectRow(0)
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.claimed is not None, timeout=10_000)
    assert page.number.text() == created.number  # no special needs: nothing beside the number
    assert page.reply.text() == "已责令施工方停止夜间施工" and page.content.text() == "楼上夜间装修噪音扰民"
    assert page.department.text() == next(d for d in desk.seat.city.departments.values() if d.kind == "department").name
    QTest.keyClick(page.result_buttons["satisfied"], Qt.Key.Key_3)
    assert page.chosen_result() == "dissatisfied" and page.note.hasFocus()
    QTest.keyClick(page.note, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert "原因" in page.message.text() and page.claimed is not None  # nothing sent without the reason
    type_chinese(page.note, REASON)
    with qtbot.waitSignal(page.recorded, timeout=10_000) as blocker:
        QTest.keyClick(page.note, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert blocker.args[0]["status"] == "dispatched"
    assert "重办" in page.message.text()
    qtbot.waitUntil(lambda: page.rows == [], timeout=10_000)

    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            case = session.scalars(select(Case).where(Case.number == created.number)).one()
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                     .order_by(CaseEvent.seq)).all()
            assert case.status == "dispatched"
            assert [(e.kind, e.payload.get("result"), e.payload.get("reason")) for e in events[-2:]] == [
                ("callback", "dissatisfied", None), ("reopened", None, REASON)]
    finally:
        engine.dispose()

    server.stop()  # offline: the page says so in words
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.refresh()
    assert page.message.text().startswith("离线")

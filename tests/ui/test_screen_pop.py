"""The screen pop (来电弹屏) on the embedded default, end to end: a simulated call rings the desk; the intake workspace
comes forward with the caller's number on a new case, the unsaved case on the form is held as a draft (and comes
back), and the pop shows the caller's cases from two seats, the open one first; a need noted before is ticked by
key; the submitted case carries the call id to the server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer, start_in_thread
from operator_app.cti.events import RINGING, CallEvent
from operator_app.cti.simulate import post_event
from operator_app.seat import open_seat
from operator_app.services.contacts import link_contact
from operator_app.services.drafts import load_draft
from operator_app.services.held_draft import held_key
from operator_app.services.intake import submit_case
from tests.conftest import fresh_seat_dir
from tests.core.helpers import dispatch_form
from tests.integration.conftest import engine_for
from tests.server.lead_builder import CaseBuilder
from tests.ui.test_lead_round_trip import sign_in, synced
from ui.calls.pop_dialog import PopDialog
from ui.shell.app import DeskController, make_application
from ui.shell.desk_window import DeskWindow

PHONE = "13900001234"
HELD_TEXT = "还没说完的上一位来电：路灯不亮"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    srv = start_in_thread(f"sqlite:///{tmp_path / 'central.sqlite'}", settings=Settings(access_log=False))
    yield srv
    srv.stop()


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[DeskController]:
    monkeypatch.setenv("OPERATOR_APP_CTI_PORT", "0")  # a free port: tests never take the real one
    make_application()
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat, engine_for(seat, server.url))
    yield ctl
    if ctl.desk is not None:
        ctl.desk.close()
    ctl.shutdown()


def other_seat_case(db_path: Path) -> str:
    """A closed case from another seat for the same caller (an elderly citizen), and one from another phone."""
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        with session_factory(engine)() as session:
            b = CaseBuilder(session, load_city_facts(resources_dir(Settings())).city)
            now = datetime.now(UTC) - timedelta(days=3)
            number = b.add(operator="1002", seat_code="S777", accepted=now, disposition="direct", phone=PHONE,
                           special_needs=["elderly"])
            b.add(operator="1002", seat_code="S777", accepted=now, phone="13900005678")
            b.commit()
            return number
    finally:
        engine.dispose()


def ring(desk: DeskWindow, call_id: str) -> None:
    assert desk.screen_pop.listener is not None
    post_event(desk.screen_pop.listener.port, CallEvent(RINGING, call_id, PHONE, "hotline", datetime.now(UTC)))


def test_a_call_pops_the_desk_with_the_callers_history(qtbot: Any, controller: DeskController,
                                                       tmp_path: Path) -> None:
    ctl = controller
    elsewhere = other_seat_case(tmp_path / "central.sqlite")
    desk = sign_in(qtbot, ctl, "1001")
    city = desk.seat.city
    mine = submit_case(desk.seat.store, city, form=dispatch_form(city, phone=PHONE), operator_id="1001")
    synced(qtbot, desk)
    # The operator is half-way through another case, on another tab, when the call rings.
    desk.form.appeal.content.edit.setPlainText(HELD_TEXT)
    desk.show_workspace("cases")

    pop = desk.findChild(PopDialog)
    assert pop is not None and not pop.isVisible()
    with qtbot.waitSignal(desk.screen_pop.popped, timeout=10_000,
                          check_params_cb=lambda history: history.from_server):
        ring(desk, "call-0001")
    assert desk.tabs.currentWidget() is desk.pages["intake"]
    assert desk.form.caller.phone.text() == PHONE
    assert desk.form.appeal.content.edit.toPlainText() == ""
    assert pop.isVisible() and pop.held.isVisible() and "暂存" in pop.held.text()
    qtbot.waitUntil(lambda: load_draft(desk.seat.store, operator_id=held_key("1001", 1)) is not None, timeout=5000)
    held = load_draft(desk.seat.store, operator_id=held_key("1001", 1))
    assert held is not None and held.content == HELD_TEXT

    # Both seats' cases, the open one (this seat's) first, with its status and deadline.
    rows = [[pop.table.topLevelItem(i).text(c) for c in range(7)]  # type: ignore[union-attr]
            for i in range(pop.table.topLevelItemCount())]
    assert [r[0] for r in rows] == [mine.number, elsewhere], rows
    assert rows[0][3] == "已派单" and rows[0][4] and rows[1][3] == "已办结"
    assert rows[1][5] == "老年人"
    assert "全市历史工单 2 件，其中未办结 1 件" in pop.source.text()

    # The need noted before is offered and ticked by its key; Esc closes the pop.
    elderly = pop.need_buttons["elderly"]
    assert elderly.isVisible() and not desk.form.caller.needs["elderly"].isChecked()
    pop.activateWindow()
    qtbot.waitUntil(pop.isActiveWindow, timeout=3000)
    QTest.keyClick(pop, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert desk.form.caller.needs["elderly"].isChecked()
    QTest.keyClick(pop.table, Qt.Key.Key_Escape)
    assert not pop.isVisible()

    # The new case is submitted: the call id reaches the server with it.
    form = dispatch_form(city, phone=PHONE, special_needs=("elderly",))
    desk.form.load(form)
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        desk.submit()
    synced(qtbot, desk)
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite'}")
    try:
        with session_factory(engine)() as session:
            payloads = [e.payload for e in session.scalars(select(CaseEvent).where(CaseEvent.kind == "created"))]
    finally:
        engine.dispose()
    by_number = {p["number"]: p for p in payloads}
    assert by_number[blocker.args[0].number]["call_id"] == "call-0001"
    assert "call_id" not in by_number[mine.number]

    # The held case comes back to the form by its key.
    assert desk.number_dialog is not None
    desk.number_dialog.accept()
    desk.activateWindow()
    qtbot.waitUntil(desk.isActiveWindow, timeout=3000)
    QTest.keyClick(desk.form.caller.name, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: desk.form.appeal.content.edit.toPlainText() == HELD_TEXT, timeout=5000)
    qtbot.waitUntil(lambda: load_draft(desk.seat.store, operator_id=held_key("1001", 1)) is None, timeout=5000)

    # While the form holds a correction (here: of a refused change), a call leaves it alone and says so.
    desk.correcting_seq = 1
    with qtbot.waitSignal(desk.screen_pop.popped, timeout=10_000,
                          check_params_cb=lambda history: history.from_server):
        ring(desk, "call-0002")
    assert desk.form.appeal.content.edit.toPlainText() == HELD_TEXT
    assert "更正" in pop.held.text() and desk.screen_pop.call_id == ""
    desk.correcting_seq = None


def server_kinds(db_path: Path, number: str) -> tuple[int, list[str], list[dict[str, Any]]]:
    """(cases on the server, that case's event kinds in order, their payloads)."""
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        with session_factory(engine)() as session:
            cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
            case = session.scalars(select(Case).where(Case.number == number)).one()
            events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                          .order_by(CaseEvent.seq)))
            return cases, [e.kind for e in events], [e.payload for e in events]
    finally:
        engine.dispose()


def test_the_pop_links_the_call_to_the_callers_open_case_and_the_third_repeat_supervises(
        qtbot: Any, controller: DeskController, tmp_path: Path) -> None:
    """The issue's first "Done when": a simulated call pops the caller's history (cases from two seats, one open);
    the operator links the new contact to the open case from the pop; the server shows one case with a 重复来电
    event carrying the call's id; the third repeat raises 督办."""
    database = tmp_path / "central.sqlite"
    other_seat_case(database)
    desk = sign_in(qtbot, controller, "1001")
    city = desk.seat.city
    mine = submit_case(desk.seat.store, city, form=dispatch_form(city, phone=PHONE), operator_id="1001")
    synced(qtbot, desk)
    before, _, _ = server_kinds(database, mine.number)

    pop = desk.findChild(PopDialog)
    assert pop is not None
    with qtbot.waitSignal(desk.screen_pop.popped, timeout=10_000,
                          check_params_cb=lambda history: history.from_server):
        ring(desk, "call-0101")
    assert pop.table.topLevelItemCount() == 2 and pop.link_button.isVisible()
    pop.table.setCurrentItem(pop.table.topLevelItem(0))  # the open one comes first
    assert pop.link_button.isEnabled()
    desk.form.appeal.content.edit.setPlainText("又打来问：路灯什么时候修")
    pop.activateWindow()
    qtbot.waitUntil(pop.isActiveWindow, timeout=3000)
    QTest.keyClick(pop, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: desk.same_issue.link_dialog is not None and desk.same_issue.link_dialog.isVisible(),
                    timeout=5000)
    dialog = desk.same_issue.link_dialog
    assert dialog is not None and dialog.values["number"].text() == mine.number
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.number_dialog is not None and desk.number_dialog.isVisible(), timeout=5000)
    assert desk.number_dialog is not None and desk.number_dialog.number == mine.number  # the existing number
    desk.number_dialog.accept()
    synced(qtbot, desk)
    cases, kinds, payloads = server_kinds(database, mine.number)
    assert cases == before and kinds == ["created", "repeat_call"]  # no new case
    assert payloads[1]["call_id"] == "call-0101" and "路灯" in payloads[1]["content"]

    for _ in range(2):
        link_contact(desk.seat.store, city, case_number=mine.number, content="又来电了", operator_id="1001")
    synced(qtbot, desk)
    assert server_kinds(database, mine.number)[1] == ["created", "repeat_call", "repeat_call", "repeat_call",
                                                     "supervised"]

    # The next call is the citizen urging the case on: 催办 from the pop (Alt+U), the number filled in.
    desk.activateWindow()
    with qtbot.waitSignal(desk.screen_pop.popped, timeout=10_000,
                          check_params_cb=lambda history: history.from_server):
        ring(desk, "call-0102")
    pop.table.setCurrentItem(pop.table.topLevelItem(0))
    assert pop.urge_button.isVisible() and pop.urge_button.isEnabled()
    pop.activateWindow()
    qtbot.waitUntil(pop.isActiveWindow, timeout=3000)
    QTest.keyClick(pop, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: desk.same_issue.urge_dialog is not None and desk.same_issue.urge_dialog.isVisible(),
                    timeout=5000)
    urge = desk.same_issue.urge_dialog
    assert urge is not None and urge.number_edit.text() == mine.number
    urge.text_edit.setPlainText("市民催促尽快修好路灯")
    urge.activateWindow()  # the offscreen platform leaves the pop active; a desktop gives the new dialog the focus
    qtbot.waitUntil(urge.isActiveWindow, timeout=3000)
    QTest.keyClick(urge.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已记录催办" in desk.statusBar().currentMessage(), timeout=5000)  # queued
    synced(qtbot, desk)
    cases, kinds, payloads = server_kinds(database, mine.number)
    assert cases == before and kinds[-1] == "urged" and payloads[-1]["text"] == "市民催促尽快修好路灯"

"""A timed exam with suggestions off: the assignment comes from the server into the 练习 workspace, the routing
panel is not there, each scenario's countdown runs out and submits the attempt as it stands (unvalidated), the next
one starts, and a summary ends the exam; the attempts reach the server."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from operator_app.practice import store as practice_tables
from tests.core.practice_helpers import FakeServer, demo_scenarios, published
from tests.ui.conftest import type_chinese
from tests.ui.practice_steps import practice_page, submit_with_keys
from ui.shell.desk_window import DeskWindow
from ui.training.practice import timer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(timer, "clock", fake)
    return fake


def test_a_timed_exam_without_suggestions(qtbot, desk: DeskWindow, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    first, second = demo_scenarios()[:2]
    server = FakeServer(desk.seat.city, scenarios=published([first, second]), assignments=[{
        "id": "as-exam", "title": "噪音类考试", "kind": "exam", "scenario_ids": [first.id, second.id],
        "time_limit_seconds": 60, "suggestions_off": True, "due_at": "2026-12-31T09:00:00+00:00",
        "created_by": "3001", "done": {}}])
    page = practice_page(qtbot, desk)
    desk.engine_ready(server)  # the sync engine is set up: the page refreshes from the server
    qtbot.waitUntil(lambda: page.assignment_table.rowCount() == 1, timeout=5000)
    assert page.assignment_table.item(0, 0).text() == "噪音类考试"  # type: ignore[union-attr]
    assert page.assignment_table.item(0, 1).text() == "考试（无派单建议）"  # type: ignore[union-attr]
    page.assignment_table.setFocus()
    page.assignment_table.setCurrentCell(0, 0)
    QTest.keyClick(page.assignment_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.window_ is not None and page.window_.isVisible(), timeout=5000)
    window = page.window_
    assert window is not None and window.exam
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)

    assert not window.assembly.routing.isVisible() and not window.assembly.suggestions_shown
    assert "考试" in window.banner.text()
    assert window.timer.text() == "剩余 1:00"
    assert window.caller.title.text().startswith(first.title)
    type_chinese(window.form.appeal.content.edit, "工地夜里施工很吵")
    QTest.keyClick(window, Qt.Key.Key_F4)  # no suggestions to take
    assert window.form.disposition.values()["disposition"] == ""
    clock.now += 30
    window.timer.tick()
    assert window.timer.text() == "剩余 0:30"
    clock.now += 31
    window.timer.tick()  # zero: submitted as it stands, the next scenario begins
    qtbot.waitUntil(lambda: window.index == 1, timeout=5000)
    assert window.caller.title.text().startswith(second.title)
    assert window.form.form_input().content == "" and window.timer.text() == "剩余 1:00"

    submit_with_keys(window)  # an exam's own submit still validates as a real case: errors, nothing recorded
    assert window.form.fields["phone"].error_text() != "" and window.index == 1
    clock.now += 60.5
    window.timer.tick()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.summary, timeout=5000)
    assert window.summary.table.rowCount() == 2
    assert window.summary.table.item(0, 0).text() == first.title  # type: ignore[union-attr]
    assert "时间到" in window.summary.table.item(0, 2).text()  # type: ignore[union-attr]

    assert window.pstore is not None
    with window.pstore.read() as conn:
        rows = conn.execute(select(practice_tables.attempts).order_by(practice_tables.attempts.c.submitted_at)).all()
    assert [r.scenario_id for r in rows] == [first.id, second.id]
    for row in rows:
        assert not row.validated and not row.suggestions_shown
        assert row.assignment_id == "as-exam" and row.time_limit_seconds == 60 and row.seconds > 60
        assert json.loads(row.local_score_json)["over_time"] is True
    assert json.loads(rows[0].answers_json)["content"] == "工地夜里施工很吵"
    qtbot.waitUntil(lambda: len(server.received) == 2, timeout=5000)  # uploaded after each attempt
    assert all(body["suggestions_shown"] is False for body in server.received.values())

    QTest.keyClick(window.summary.table, Qt.Key.Key_Return)  # Enter closes the summary
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)

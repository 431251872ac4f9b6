"""Practice end to end on the embedded default, through the desk itself: operator 1001 opens 练习, finds the
exercise the demo trainer 3001 assigned, plays its noise scenario through the real form, and submits; the attempt
reaches the central server, which scores it itself; the seat's real store and outbox and the server's real case
tables are exactly as before; the trainer then reads the attempt in 练习成绩."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QApplication

from central_server.embedded import EmbeddedServer
from operator_app.practice import history
from tests.ui.embedded_desk import desk_controller, embedded_server, sign_in
from tests.ui.practice_steps import NOISE, fill_noise_case, practice_page, submit_with_keys
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow
from ui.shell.workspace_pages import TrainingSlot
from ui.training.manage.results_page import ResultsPage

SEAT_TABLES = ("cases", "case_events", "outbox", "drafts", "day_counters")
# Every server table that holds real cases or what hangs off them (history, projections, hot spots, pushes).
SERVER_TABLES = ("cases", "case_events", "change_counter", "seat_mutations", "case_kpi", "case_kpi_departments",
                 "case_topics", "hotspot_groups", "quality_reviews", "call_records")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path, demo_shift=False) as srv:
        yield srv


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    with desk_controller(tmp_path, migrated_db, server) as ctl:
        yield ctl


def server_rows(server_db: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(f"sqlite:///{server_db}")
    try:
        with engine.connect() as conn:
            return {t: sorted(map(tuple, conn.exec_driver_sql(f'SELECT * FROM "{t}"')))  # noqa: S608
                    for t in SERVER_TABLES}
    finally:
        engine.dispose()


def seat_rows(desk: DeskWindow) -> dict[str, list[tuple[Any, ...]]]:
    with desk.seat.store.read() as conn:
        return {t: sorted(tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}"'))  # noqa: S608
                for t in SEAT_TABLES}


def test_an_assigned_exercise_is_played_scored_by_the_server_and_read_by_the_trainer(
        qtbot: Any, controller: DeskController, tmp_path: Path) -> None:
    server_db = tmp_path / "central.sqlite"
    desk = sign_in(qtbot, controller, "1001")
    real_seat, real_server = seat_rows(desk), server_rows(server_db)
    assert real_server["cases"] == []  # a fresh demo city: nothing real yet, and nothing may appear

    page = practice_page(qtbot, desk)
    qtbot.waitUntil(lambda: any(a.title == "新员工入门练习" for a in page.assignments), timeout=20_000)
    exercise = next(a for a in page.assignments if a.title == "新员工入门练习")
    by_id = {s.id: s for s in page.scenarios}
    # The noise call counts for the exercise when the demo put it there, else it is free practice.
    window = page.start([by_id[NOISE]], exercise if NOISE in exercise.scenario_ids else None)
    assert window is not None
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)  # its keys work once active
    scenario = by_id[NOISE]
    for _ in scenario.lines:
        window.caller.next_line()
    fill_noise_case(qtbot, window, scenario, cooperating=False)
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=20_000)
    rows = window.result.row_texts()
    assert rows["协办单位"][0] == "✗" and rows["主办单位"][0] == "✓" and rows["问题分类"][0] == "✓"

    # The attempt reaches the server, which keeps its own score (the same function, the same weights).
    pstore = page.pstore
    assert pstore is not None
    qtbot.waitUntil(lambda: (h := history(pstore, "1001")) != [] and h[0].state == "sent", timeout=20_000)
    mine = history(pstore, "1001")[0]
    assert mine.number.startswith("练-") and mine.server_scored
    engine = sa.create_engine(f"sqlite:///{server_db}")
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT number, total, user_id FROM practice_attempts WHERE id = :i"),
                              {"i": mine.id}).one()
    engine.dispose()
    assert stored.number == mine.number and stored.user_id == "1001"
    assert stored.total == pytest.approx(mine.total) and stored.total < 100
    window.close()

    # Nothing real moved, on the seat or on the server.
    assert seat_rows(desk) == real_seat
    assert server_rows(server_db) == real_server

    # The trainer reads it.
    trainer = sign_in(qtbot, controller, "3001")
    slot = trainer.tabs.currentWidget()
    assert isinstance(slot, TrainingSlot)
    qtbot.waitUntil(lambda: slot.page is not None, timeout=20_000)
    manage = slot.page
    assert manage is not None
    results = next(p for p in manage.pages if isinstance(p, ResultsPage))
    manage.show_tab(manage.pages.index(results))
    qtbot.waitUntil(lambda: any(r.get("id") == "1001" and r.get("attempts") for r in results.trainees.rows),
                    timeout=20_000)
    row = next(r for r in results.trainees.rows if r.get("id") == "1001")
    assert row["attempts"] == 1 and row["average"] == pytest.approx(stored.total)

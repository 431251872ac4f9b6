"""Start-up with a deleted, truncated or garbled store: the desk says what happened in Chinese, restores the newest
good backup from the keyboard, then opens with the backup's cases; nothing is written into the damaged file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from contract.city.model import City
from operator_app.seat import open_seat
from operator_app.services.intake import submit_case
from operator_app.store.backup import take_backup
from operator_app.store.database import DB_FILE
from tests.core.helpers import direct_form
from tests.core.test_store_integrity import delete, garble_middle, make_seat, truncate
from tests.ui.conftest import offline_engine
from ui.shell.app import DeskController, make_application
from ui.shell.store_recovery_dialog import StoreRecoveryDialog, open_seat_or_recover

EXPECTED_TITLE = {"deleted": "找不到本地数据库", "truncated": "本地数据库是空的", "garbled": "本地数据库已损坏"}


def drive_dialog(seen: dict[str, object], act: Callable[[StoreRecoveryDialog], None]) -> None:
    """Wait for the modal dialog, note what it shows, then act on it as a person would (closing it on failure,
    so a broken test fails instead of hanging)."""
    timer = QTimer(interval=50)
    started = datetime.now(UTC)

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StoreRecoveryDialog) or not dialog.isVisible():
            if datetime.now(UTC) - started > timedelta(seconds=20):
                timer.stop()
            return
        timer.stop()
        try:
            seen["dialog"] = dialog
            seen["texts"] = " ".join(w.text() for w in dialog.findChildren(type(dialog.error)))
            seen["rows"] = [[dialog.table.item(r, c).text() if dialog.table.item(r, c) else ""
                             for c in range(4)] for r in range(dialog.table.rowCount())]
            seen["focus"] = dialog.focusWidget() is dialog.table
            seen["store_before_choice"] = dialog.data_dir / DB_FILE
            act(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test after exec() returns
            seen["error"] = exc
            dialog.reject()

    timer.timeout.connect(poll)
    timer.start()
    seen["timer"] = timer


@pytest.mark.parametrize("damage", [delete, truncate, garble_middle], ids=["deleted", "truncated", "garbled"])
def test_the_desk_restores_the_newest_good_backup(qtbot, tmp_path: Path, city: City,  # type: ignore[no-untyped-def]
                                                  damage: Callable[[Path], None]) -> None:
    make_application()
    folder = tmp_path / "seat"
    seat_id, numbers = make_seat(folder, city, 60)
    take_backup(folder / DB_FILE, now=datetime(2026, 11, 28, 8, tzinfo=UTC))
    newest = take_backup(folder / DB_FILE, now=datetime(2026, 11, 28, 9, tzinfo=UTC))
    seat = open_seat(folder)
    submit_case(seat.store, city, operator_id="1001", form=direct_form(city))  # after the last backup
    seat.close()
    store = folder / DB_FILE
    damage(store)
    damaged = store.read_bytes() if store.exists() else None

    seen: dict[str, object] = {}
    drive_dialog(seen, lambda dialog: QTest.keyClick(dialog.table, Qt.Key.Key_Return))  # Enter restores
    opened = open_seat_or_recover(folder, seat_code=None)
    assert "error" not in seen, seen.get("error")
    name = {delete: "deleted", truncate: "truncated", garble_middle: "garbled"}[damage]
    texts = str(seen["texts"])
    assert EXPECTED_TITLE[name] in texts and "不会删除" in texts and "S017" in texts
    rows = seen["rows"]
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[0][1:] == ["60", "60", "完好"] and rows[0][0] > rows[1][0]  # newest first, with its case count
    assert seen["focus"]  # ↑↓ and Enter work at once

    assert opened is not None
    aside = sorted(folder.glob("seat.sqlite.damaged-*"))
    try:
        assert opened.store.seat.seat_id == seat_id
        if damaged is not None:  # moved aside byte for byte: nothing was written into it
            assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
        ctl = DeskController(opened, offline_engine(opened))
        try:
            ctl.show_login()
            ctl.login("1001")
            desk = ctl.desk
            assert desk is not None
            qtbot.addWidget(desk)
            desk.cases.scope.setCurrentIndex(desk.cases.scope.findData("all"))
            qtbot.waitUntil(lambda: desk.model.total == 60, timeout=10_000)
        finally:
            if ctl.desk is not None:
                ctl.desk.close()
            ctl.shutdown()
    finally:
        opened.close()
    assert newest.exists()  # the backup itself stays


def test_quitting_leaves_everything_as_it_was(qtbot, tmp_path: Path, city: City) -> None:  # type: ignore[no-untyped-def]
    make_application()
    folder = tmp_path / "seat"
    make_seat(folder, city, 60)
    take_backup(folder / DB_FILE)
    garble_middle(folder / DB_FILE)
    before = (folder / DB_FILE).read_bytes()
    seen: dict[str, object] = {}
    drive_dialog(seen, lambda dialog: QTest.keyClick(dialog.table, Qt.Key.Key_Escape))
    assert open_seat_or_recover(folder, seat_code=None) is None
    assert "error" not in seen, seen.get("error")
    assert (folder / DB_FILE).read_bytes() == before and not list(folder.glob("seat.sqlite.damaged-*"))


def test_the_desk_entry_point_shows_the_dialog_instead_of_a_new_seat(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     city: City) -> None:
    """`operator-app` with no command, on a store truncated to 0 bytes: the dialog, and quitting exits 1."""
    from ui.shell.main import main

    make_application()
    folder = tmp_path / "seat"
    make_seat(folder, city, 3)
    take_backup(folder / DB_FILE)
    truncate(folder / DB_FILE)
    seen: dict[str, object] = {}
    drive_dialog(seen, lambda dialog: dialog.quit_button.click())
    assert main(["--data-dir", str(folder)]) == 1
    assert "error" not in seen, seen.get("error")
    assert "dialog" in seen
    assert (folder / DB_FILE).stat().st_size == 0

"""UI fixtures: a controller on a fresh seat, logged in; helpers to type like an operator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from operator_app.seat import Seat, open_seat
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from tests.conftest import fresh_seat_dir
from ui.common.gui_gc import collect_on_gui_thread
from ui.shell.app import DeskController, make_application
from ui.shell.desk_window import DeskWindow


def type_chinese(widget: QWidget, text: str) -> None:
    """Commit text through the input method, as a pinyin IME does (QTest.keyClicks cannot type CJK)."""
    widget.setFocus()
    for ch in text:
        event = QInputMethodEvent("", [])
        event.setCommitString(ch)
        QApplication.sendEvent(widget, event)


def type_ascii(widget: QWidget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def press(widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifier)


def offline_engine(seat: Seat) -> SyncEngine:
    """A seat whose central server is down (nothing listens on the discard port): the desk works offline."""
    return SyncEngine(seat.store, ServerClient("http://127.0.0.1:9"), SecretStore(None))


@pytest.fixture(autouse=True)
def gc_on_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    """As the desk does (ui/shell/app.py): tests that make widgets without make_application get it too."""
    collect_on_gui_thread()


@pytest.fixture
def controller(qtbot, tmp_path: Path, migrated_db: Path) -> Iterator[DeskController]:  # type: ignore[no-untyped-def]
    make_application()
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat, offline_engine(seat))
    yield ctl
    if ctl.desk is not None:
        ctl.desk.close()
    if ctl.login_window is not None:
        ctl.login_window.close()
    ctl.shutdown()


@pytest.fixture
def desk(qtbot, controller: DeskController) -> DeskWindow:  # type: ignore[no-untyped-def]
    controller.show_login()
    controller.login("1001")
    assert controller.desk is not None
    qtbot.addWidget(controller.desk)
    desk = controller.desk
    desk.resize(1280, 800)  # a seat's screen (the offscreen one is 800 wide: the desk would take its narrow layout)
    desk.show()
    qtbot.waitExposed(desk)
    qtbot.waitUntil(lambda: desk.ready, timeout=5000)
    return desk

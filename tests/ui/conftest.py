"""UI fixtures: a controller on a fresh seat, logged in; helpers to type like an operator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from operator_app.seat import open_seat
from tests.conftest import fresh_seat_dir
from ui.app import DeskController, make_application
from ui.desk_window import DeskWindow


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


@pytest.fixture
def controller(qtbot, tmp_path: Path, migrated_db: Path) -> Iterator[DeskController]:  # type: ignore[no-untyped-def]
    make_application()
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat)
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
    desk.show()
    qtbot.waitExposed(desk)
    qtbot.waitUntil(lambda: desk.ready, timeout=5000)
    return desk

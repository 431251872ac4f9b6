"""The login window keeps its fields usable when a long standing note (no keyring on this machine) is shown."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from contract.city.model import City
from ui.shell.app import MEMORY_ONLY_NOTE, PRIVATE_FILE_NOTE, make_application
from ui.shell.login_window import LoginWindow


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def _fields_usable(window: LoginWindow) -> None:
    for field in (window.work_number, window.password):
        assert field.height() >= field.sizeHint().height(), field.objectName()
        assert field.width() >= 250, field.objectName()


def _below(upper: QWidget, lower: QWidget) -> bool:
    return upper.geometry().bottom() < lower.geometry().top()


@pytest.mark.parametrize("note", [PRIVATE_FILE_NOTE, MEMORY_ONLY_NOTE])
@pytest.mark.parametrize("shown_first", [True, False])
def test_the_fields_keep_their_size_with_the_no_keyring_note(qtbot, city: City,  # type: ignore[no-untyped-def]
                                                             note, shown_first: bool) -> None:
    make_application()
    window = LoginWindow(city, seat_code="S01", server="http://127.0.0.1:8000", demo_password="demo")
    qtbot.addWidget(window)
    if shown_first:  # the engine is ready after the window is up: the usual order
        window.show()
        _settle()
    window.show_note(note())
    window.show_pending(3)
    window.show()
    _settle()
    _fields_usable(window)
    assert window.note.isVisible() and window.note.wordWrap()
    # the note wraps in its own row, under the button, every line of it visible
    assert _below(window.button, window.note)
    assert window.note.height() >= window.note.heightForWidth(window.note.width())
    assert window.height() <= 720  # a seat's small screen
    window.show_error("工号“x”不在本市话务员名册中，请核对")  # an error line on top keeps the fields too
    _settle()
    _fields_usable(window)

"""Keys of the trainer's workspace: a shortcut that acts only while the focus is inside its page, so the desk's own
keys keep working, and the button text that shows the key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

NEW = "Ctrl+N"
EDIT = "Return"
PREVIEW = "F5"
PUBLISH = "Ctrl+P"
RETIRE = "Ctrl+D"
FROM_CASE = "Ctrl+R"
REFRESH = "Ctrl+F5"  # F5 is the preview here
FILTER = "Ctrl+F"
NEXT_TAB = "Ctrl+PgDown"
PREVIOUS_TAB = "Ctrl+PgUp"


def shortcut(keys: str, parent: QWidget, slot: Callable[[], object],
             context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QShortcut:
    made = QShortcut(QKeySequence(keys), parent)
    made.setContext(context)
    made.activated.connect(slot)
    return made


def key_text(keys: str) -> str:
    """As the desk shows a key (Ctrl+回车 in a Chinese locale)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def action_button(parent: QWidget, text: str, keys: str, slot: Callable[[], object],
                  *, bind: bool = True) -> QPushButton:
    """A button labelled with its key; with `bind` the key works anywhere inside `parent`."""
    button = QPushButton(f"{text}（{key_text(keys)}）")
    button.clicked.connect(slot)
    if bind:
        shortcut(keys, parent, slot)
    return button

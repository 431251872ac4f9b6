"""A field widget with its error text underneath; errors are shown at the field, in Chinese."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class FieldBox(QWidget):
    """Holds one input (or a row of inputs) and the message that says what is wrong with it."""

    def __init__(self, field: QWidget, focus_target: QWidget | None = None) -> None:
        super().__init__()
        self.field = field
        self.focus_target = focus_target or field
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

    def set_error(self, message: str) -> None:
        if message == self.error_text():
            return  # restyling costs a few ms per field: only when the state really changes
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.focus_target.setProperty("invalid", bool(message))
        style = self.focus_target.style()
        style.unpolish(self.focus_target)
        style.polish(self.focus_target)

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() else ""

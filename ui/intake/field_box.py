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
        """Show `message` (or, with "", no error: its line then collapses, the form closing up)."""
        self.release_space()
        self._show(message)

    def clear_error(self) -> None:
        """The operator changed the field: its error goes, but its line keeps its space until the next submit or a
        new case, so nothing below moves while the operator works through the errors."""
        if self.error_text():
            policy = self.error.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.error.setSizePolicy(policy)
            self._show("")

    def release_space(self) -> None:
        if self.error.sizePolicy().retainSizeWhenHidden():
            policy = self.error.sizePolicy()
            policy.setRetainSizeWhenHidden(False)
            self.error.setSizePolicy(policy)

    def _show(self, message: str) -> None:
        if message == self.error_text():
            return  # restyling costs a few ms per field: only when the state really changes
        if message:
            self.error.setText(message)  # a cleared error keeps its text, hidden: the kept space is its height
        self.error.setVisible(bool(message))
        self.focus_target.setProperty("invalid", bool(message))
        style = self.focus_target.style()
        style.unpolish(self.focus_target)
        style.polish(self.focus_target)

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()  # also while the form is on a hidden tab

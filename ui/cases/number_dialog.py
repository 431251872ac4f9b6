"""Shows the new case number large and copyable, so the operator can read it to the citizen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.common.named import named


def spoken_form(number: str) -> str:
    """Digits grouped for reading aloud: S001-20261128-0042 → S001 2026 1128 0042."""
    seat, day, seq = number.split("-")
    return f"{seat}  {day[:4]} {day[4:]}  {seq}"


class CaseNumberDialog(QDialog):
    """Modal, Enter closes; Ctrl+C or the button copies the number."""

    def __init__(self, number: str, deadline_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.setWindowTitle(self.tr("工单已受理"))
        title = QLabel(self.tr("请告知市民工单编号："))
        self.number_label = named(QLabel(number), "caseNumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.spoken = QLabel(self.tr("读法：") + spoken_form(number))
        self.spoken.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.deadline = QLabel(deadline_text)
        self.deadline.setWordWrap(True)
        self.copied = QLabel("")
        buttons = QDialogButtonBox()
        copy = QPushButton(self.tr("复制编号 (Ctrl+C)"))
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("继续受理 (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        buttons.accepted.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.Copy, self).activated.connect(self.copy)
        layout = QVBoxLayout(self)
        for widget in (title, self.number_label, self.spoken, self.deadline, self.copied, buttons):
            layout.addWidget(widget)

    def show_number(self, number: str, deadline_text: str) -> None:
        """Reuse the dialog for the next case (building it costs the GUI thread ~10 ms each time)."""
        self.number = number
        self.number_label.setText(number)
        self.spoken.setText(self.tr("读法：") + spoken_form(number))
        self.deadline.setText(deadline_text)
        self.copied.setText("")
        self.open()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.number)
        self.copied.setText(self.tr("已复制到剪贴板"))

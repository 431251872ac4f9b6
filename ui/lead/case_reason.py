"""The small dialog every lead action and every reveal opens: a reason (at least two characters), and for 改派 the
department to send the case to."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

MIN_REASON = 2


class ReasonDialog(QDialog):
    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *,
                 departments: Sequence[tuple[str, str]] = (), min_chars: int = MIN_REASON) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.min_chars = min_chars
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        form = QFormLayout()
        self.department = QComboBox()
        if departments:
            for dept_id, name in departments:
                self.department.addItem(name, dept_id)
            form.addRow(self.tr("改派给"), self.department)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(80)
        form.addRow(self.tr("原因") if min_chars else self.tr("内容"), self.text)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(420, 220)
        self.text.setFocus()

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def department_id(self) -> str:
        return str(self.department.currentData() or "")

    def accept(self) -> None:
        """Refuse a reason too short here, with the words the server would answer in (it checks again)."""
        if len(self.reason()) < max(self.min_chars, 1):
            self.problem.setText(self.tr("请填写原因（至少两个字）。") if self.min_chars else self.tr("请填写内容。"))
            self.text.setFocus()
            return
        super().accept()

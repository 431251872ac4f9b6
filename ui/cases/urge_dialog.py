"""催办: a citizen calls about an open case; the operator gives its number (filled from 我的工单's selection when
there is one) and what the citizen said; accepting records an `urged` event (operator_app/services/contacts)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from contract.case_contact import MAX_TEXT
from contract.case_number import CASE_NUMBER
from ui.common.named import named


class UrgeDialog(QDialog):
    """Accepted → `number()` and `text()` say what to record; the caller does the write."""

    def __init__(self, number: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "urgeDialog")
        self.setWindowTitle(self.tr("催办"))
        self.number_edit = named(QLineEdit(number), "urgeNumber")
        self.number_edit.setPlaceholderText(self.tr("如 S001-20260301-0001"))
        self.text_edit = named(QPlainTextEdit(), "urgeText")
        self.text_edit.setPlaceholderText(self.tr("市民催办时说的内容（必填）"))
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(90)
        self.error = named(QLabel(""), "fieldError")
        form = QFormLayout()
        form.addRow(self.tr("工单编号"), self.number_edit)
        form.addRow(self.tr("催办内容"), self.text_edit)
        buttons = QDialogButtonBox()
        buttons.addButton(self.tr("催办 (Ctrl+Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消 (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self._accept)
        note = QLabel(self.tr("催办记入该工单的办理记录，承办单位会看到；不新建工单。"))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        (self.text_edit if number else self.number_edit).setFocus()

    def number(self) -> str:
        return self.number_edit.text().strip().upper()

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()

    def _accept(self) -> None:
        if not CASE_NUMBER.match(self.number()):
            self.error.setText(self.tr("工单编号格式不正确，应如 S001-20260301-0001"))
            self.number_edit.setFocus()
            return
        if not self.text():
            self.error.setText(self.tr("请填写市民催办时说的内容"))
            self.text_edit.setFocus()
            return
        if len(self.text()) > MAX_TEXT:
            self.error.setText(self.tr("内容过长：最多 %1 字").replace("%1", str(MAX_TEXT)))
            return
        self.accept()

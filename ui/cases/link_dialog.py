"""关联到已有工单: the existing case beside what the citizen says now; accepting records a 重复来电 on it
(operator_app/services/contacts.link_contact) and the citizen is given the existing number."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from contract.case_contact import MAX_TEXT
from ui.cases.same_issue_text import reason_text, status_text
from ui.common.named import named
from ui.common.times import shown_time


class LinkDialog(QDialog):
    """Accepted → `content()` is what to record; the caller does the write."""

    def __init__(self, candidate: dict[str, Any], content: str, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "linkDialog")
        self.candidate = candidate
        self.setWindowTitle(self.tr("关联到已有工单（重复来电）"))
        facts = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label, value in (
                ("number", self.tr("工单编号"), str(candidate.get("number", ""))),
                ("status", self.tr("状态"), status_text(candidate)),
                ("category", self.tr("问题分类"), str(candidate.get("category", "")) or "—"),
                ("accepted_at", self.tr("受理时间"), shown_time(candidate.get("accepted_at"), tz, "%Y-%m-%d %H:%M")),
                ("reason", self.tr("匹配原因"), reason_text(candidate)),
                ("phone", self.tr("来电号码"), str(candidate.get("phone_masked") or "—")),
                ("title", self.tr("原诉求"), str(candidate.get("title", "")))):
            value_label = named(QLabel(value), f"link_{key}")
            value_label.setWordWrap(True)
            self.values[key] = value_label
            facts.addRow(label, value_label)
        self.values["number"].setStyleSheet("font-size: 18px; font-weight: bold; color: #0d47a1;")
        self.text = named(QPlainTextEdit(content), "linkContent")
        self.text.setPlaceholderText(self.tr("市民这次说的内容（必填）"))
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        self.error = named(QLabel(""), "fieldError")
        buttons = QDialogButtonBox()
        self.link_button = buttons.addButton(self.tr("关联到此工单 (Ctrl+Enter)"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("取消 (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self._accept)
        note = QLabel(self.tr("关联后不新建工单：记为该工单的“重复来电”，承办单位会看到，请告知市民原工单编号。"))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(facts)
        layout.addWidget(QLabel(self.tr("本次来电内容：")))
        layout.addWidget(self.text)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.text.setFocus()

    def content(self) -> str:
        return self.text.toPlainText().strip()

    def _accept(self) -> None:
        if not self.content():
            self.error.setText(self.tr("请填写市民这次说的内容"))
            return
        if len(self.content()) > MAX_TEXT:
            self.error.setText(self.tr("内容过长：最多 %1 字").replace("%1", str(MAX_TEXT)))
            return
        self.accept()

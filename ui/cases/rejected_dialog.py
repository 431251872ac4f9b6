"""被退回的变更: what the central server refused, with its reason; pick one to correct and resubmit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from ui.common.named import named

if TYPE_CHECKING:
    from sync.outbox import RejectedChange


class RejectedDialog(QDialog):
    """Emits `correct(seq)` for the chosen rejected case; nothing is dropped from here."""

    correct = Signal(int)

    def __init__(self, rejected: list[RejectedChange], city: City, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.changes = rejected  # not `self.rejected`: that would hide QDialog's signal
        self.setWindowTitle(self.tr("被退回的变更"))
        tz = ZoneInfo(city.timezone)
        self.table = named(QTableWidget(len(rejected), 4), "rejectedTable")
        self.table.setHorizontalHeaderLabels([self.tr("工单编号"), self.tr("受理人"), self.tr("受理时间"),
                                              self.tr("退回原因")])
        for i, change in enumerate(rejected):
            number = change.number or str(change.args.get("event", {}).get("payload", {})  # type: ignore[attr-defined]
                                          .get("number", change.entity_id))
            who = city.roster.get(change.operator_id)
            at = datetime.fromisoformat(change.created_at).astimezone(tz).strftime("%m-%d %H:%M")
            for col, text in enumerate((number, who.name if who else change.operator_id, at, change.reason)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        if rejected:
            self.table.selectRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.fix = QPushButton(self.tr("修改后重新提交 (Enter)"))
        self.fix.setDefault(True)
        self.fix.setEnabled(bool(rejected))
        buttons.addButton(self.fix, QDialogButtonBox.ButtonRole.ActionRole)
        self.fix.clicked.connect(self._correct)
        self.table.doubleClicked.connect(self._correct)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("中心服务器拒收了以下变更。请核对原因，修改后重新提交；工单编号保持不变。")))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(720, 360)

    def _correct(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.changes):
            self.correct.emit(self.changes[row].seq)
            self.accept()

"""无法应用的同步数据: changes pulled from the central server that this seat keeps aside (sync/quarantine.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.named import named

if TYPE_CHECKING:
    from sync.quarantine import QuarantinedChange

KINDS = {"case_event": "工单记录", "kb_article": "知识库文章"}


class QuarantineDialog(QDialog):
    """Read-only: what was set aside, when and why (the error's kind); the data itself stays in the store."""

    def __init__(self, items: list[QuarantinedChange], total: int, tz: ZoneInfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("无法应用的同步数据"))
        self.table = named(QTableWidget(len(items), 5), "quarantineTable")
        self.table.setHorizontalHeaderLabels([self.tr("收到时间"), self.tr("类型"), self.tr("工单编号"),
                                              self.tr("数据标识"), self.tr("错误类型")])
        for i, item in enumerate(items):
            at = datetime.fromisoformat(item.quarantined_at).astimezone(tz).strftime("%m-%d %H:%M")
            kind = self.tr(KINDS[item.entity]) if item.entity in KINDS else item.entity
            for col, text in enumerate((at, kind, item.number or "-", item.case_id or item.change_id, item.error)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in (0, 1, 2, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        note = self.tr("以下 %1 条从中心服务器同步来的数据，本席位无法应用，已单独保存；其余数据照常同步。"
                       "请将数据标识告知管理员核查。").replace("%1", str(total))
        if total > len(items):
            note += self.tr("（仅列出最近 %1 条）").replace("%1", str(len(items)))
        label = QLabel(note)
        label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 360)

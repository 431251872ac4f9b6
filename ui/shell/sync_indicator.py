"""The status-bar sync indicator: in sync / N pending since HH:MM / offline since HH:MM / N rejected / N pulled
changes that cannot be applied here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton

from ui.shell.quarantine_dialog import QuarantineDialog
from ui.shell.sync_controller import SyncStatus

COLORS = {"synced": "#2e7d32", "pending": "#ef6c00", "offline": "#c62828", "auth": "#c62828"}


class SyncIndicator(QToolButton):
    """Click (or Ctrl+Shift+R) opens the rejected-changes list when there is one; a click also lists the pulled
    changes that could not be applied (a menu offers both when there are both)."""

    rejected_clicked = Signal()

    def __init__(self, timezone: str) -> None:
        super().__init__()
        self.setObjectName("syncStatus")
        self.tz = ZoneInfo(timezone)
        self.setAutoRaise(True)
        self.status: SyncStatus | None = None
        self.quarantine_dialog: QuarantineDialog | None = None
        self.clicked.connect(self._clicked)
        self.setText(self.tr("同步状态读取中…"))

    def _clicked(self) -> None:
        status = self.status
        if status is None or not status.quarantined:
            self.rejected_clicked.emit()
            return
        if not status.rejected:
            self.show_quarantined()
            return
        menu = QMenu(self)
        menu.addAction(self.tr("被退回的变更（%1 条）").replace("%1", str(status.rejected)), self.rejected_clicked.emit)
        menu.addAction(self.tr("无法应用的同步数据（%1 条）").replace("%1", str(status.quarantined)),
                       self.show_quarantined)
        menu.popup(self.mapToGlobal(self.rect().topLeft()))

    def show_quarantined(self) -> None:
        """The list of pulled changes this seat keeps aside (read with the last status)."""
        items = list(self.status.quarantined_items) if self.status is not None else []
        total = self.status.quarantined if self.status is not None else 0
        self.quarantine_dialog = QuarantineDialog(items, total, self.tz, self.window())
        self.quarantine_dialog.open()

    def _hhmm(self, value: str | datetime | None) -> str:
        if value is None:
            return "--:--"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.astimezone(self.tz).strftime("%H:%M")

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        n = str(status.pending)
        if status.state == "offline":
            text = self.tr("离线（自 %1），待同步 %2 条").replace("%1", self._hhmm(status.offline_since)) \
                .replace("%2", n)
        elif status.state == "auth":
            text = self.tr("未连接中心服务器（需登录），待同步 %1 条").replace("%1", n)
        elif status.pending:
            text = self.tr("待同步 %1 条（自 %2）").replace("%1", n).replace("%2", self._hhmm(status.oldest_pending_at))
        else:
            text = self.tr("已同步")
        if status.rejected:
            text += self.tr(" · %1 条被退回，点击处理").replace("%1", str(status.rejected))
        if status.quarantined:
            text += self.tr(" · %1 条同步数据无法应用，点击查看").replace("%1", str(status.quarantined))
        self.setText("● " + text)
        color = "#c62828" if status.rejected or status.quarantined else COLORS.get(status.state, "#ef6c00")
        if status.state == "synced" and status.pending:
            color = COLORS["pending"]
        self.setStyleSheet(f"QToolButton#syncStatus {{ color: {color}; }}")
        self.setToolTip(status.message)

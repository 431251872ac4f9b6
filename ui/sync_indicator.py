"""The status-bar sync indicator: in sync / N pending since HH:MM / offline since HH:MM / N rejected."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QToolButton

from ui.sync_controller import SyncStatus

COLORS = {"synced": "#2e7d32", "pending": "#ef6c00", "offline": "#c62828", "auth": "#c62828"}


class SyncIndicator(QToolButton):
    """Click (or Ctrl+Shift+R) opens the rejected-changes list when there is one."""

    rejected_clicked = Signal()

    def __init__(self, timezone: str) -> None:
        super().__init__(objectName="syncStatus")
        self.tz = ZoneInfo(timezone)
        self.setAutoRaise(True)
        self.status: SyncStatus | None = None
        self.clicked.connect(self.rejected_clicked)
        self.setText(self.tr("同步状态读取中…"))

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
        self.setText("● " + text)
        color = "#c62828" if status.rejected else COLORS.get(status.state, "#ef6c00")
        if status.state == "synced" and status.pending:
            color = COLORS["pending"]
        self.setStyleSheet(f"QToolButton#syncStatus {{ color: {color}; }}")
        self.setToolTip(status.message)

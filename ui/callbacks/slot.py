"""The 回访 workspace's slot on the desk: it says the server is not connected until the sync engine is set up."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.shell.workspace_pages import Api, ServerSlot


class CallbackSlot(ServerSlot):
    def __init__(self, *, tasks: TaskManager, tz: ZoneInfo, api: Api | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.tz = tasks, tz
        waiting = named(QLabel(self.tr("未连接中心服务器：回访队列在中心服务器上，连接建立后自动显示（离线时不能回访）。\n"
                                       "工单受理（Ctrl+1）不受影响。")), "callbacksWaiting")
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        waiting.setWordWrap(True)
        self.start(waiting, api)

    def build(self, api: Api) -> QWidget:
        from ui.callbacks.page import CallbackPage

        return CallbackPage(api=api, tasks=self.tasks, tz=self.tz)

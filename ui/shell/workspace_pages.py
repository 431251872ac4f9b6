"""The pages the shell makes itself: the trainer's placeholder and the slot that holds the team lead's workbench."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from contract.city.model import Operator
from ui.common.named import named
from ui.common.tasks import TaskManager

Api = Callable[..., Any]  # SyncEngine.api: api(method, path, json_body=None, params=None)


def _notice(text: str, name: str) -> QLabel:
    label = named(QLabel(text), name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class TrainingPage(QWidget):
    """Until the training workspace exists (a later issue), a trainer sees this and never the real case form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_notice(self.tr("培训工作区：练习模式将在后续版本提供"), "trainingNotice"))
        layout.addWidget(_notice(self.tr("培训账号不能受理真实工单。"), "trainingHint"))
        layout.addStretch(1)
        layout.insertStretch(0, 1)


class WorkbenchSlot(QStackedWidget):
    """Holds the team lead's workbench (ui/lead/workbench.py). Every workbench page reads the central server through
    the sync engine, which is set up on the sync thread after sign-in: until `connect_api` gives its `api`, the slot
    says in words that the server is not connected. Once built, the workbench itself reports failed calls
    (server unreachable, login refused). Its module, and the chart library it uses, load only here."""

    def __init__(self, *, tasks: TaskManager, me: Operator, api: Api | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.me = tasks, me
        self.workbench: QWidget | None = None
        self.waiting = _notice(self.tr("未连接中心服务器：班组长工作台的数据来自中心服务器，连接建立后自动显示。\n"
                                       "工单受理（Ctrl+1）不受影响。"), "workbenchWaiting")
        self.addWidget(self.waiting)
        if api is not None:
            self.connect_api(api)

    def connect_api(self, api: Api) -> None:
        """Build the workbench on the engine's `api` (once; a later call changes nothing)."""
        if self.workbench is not None:
            return
        from ui.lead.workbench import Workbench  # the lead's code and its charts: not at an operator's start

        self.workbench = Workbench(api=api, tasks=self.tasks, me=self.me)
        self.addWidget(self.workbench)
        self.setCurrentWidget(self.workbench)

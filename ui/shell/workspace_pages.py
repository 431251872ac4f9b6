"""The pages the shell makes itself: slots that hold a workspace reading the central server (the team lead's
workbench, the trainer's 培训管理) until the sync engine gives its `api`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from contract.city.model import City, Operator
from contract.practice.scenario import Scenario
from ui.common.named import named
from ui.common.tasks import TaskManager

Api = Callable[..., Any]  # SyncEngine.api: api(method, path, json_body=None, params=None)


def _notice(text: str, name: str) -> QLabel:
    label = named(QLabel(text), name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class ServerSlot(QStackedWidget):
    """Holds a workspace whose every page reads the central server through the sync engine, which is set up on the
    sync thread after sign-in: until `connect_api` gives its `api`, the slot says in words that the server is not
    connected. Once built, the workspace itself reports failed calls (server unreachable, login refused). Its
    module loads only in `build`, so a desk that never opens it never imports it."""

    page: QWidget | None = None
    waiting: QLabel

    def start(self, waiting: QLabel, api: Api | None) -> None:
        """Show `waiting` until there is an `api` (at once when there is one already)."""
        self.waiting = waiting
        self.addWidget(waiting)
        if api is not None:
            self.connect_api(api)

    def connect_api(self, api: Api) -> None:
        """Build the workspace on the engine's `api` (once; a later call changes nothing)."""
        if self.page is not None:
            return
        self.page = self.build(api)
        self.addWidget(self.page)
        self.setCurrentWidget(self.page)

    def build(self, api: Api) -> QWidget:
        raise NotImplementedError


class WorkbenchSlot(ServerSlot):
    """The team lead's workbench (ui/lead/workbench.py) and the chart library it uses."""

    def __init__(self, *, tasks: TaskManager, me: Operator, api: Api | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.me = tasks, me
        self.start(_notice(self.tr("未连接中心服务器：班组长工作台的数据来自中心服务器，连接建立后自动显示。\n"
                                   "工单受理（Ctrl+1）不受影响。"), "workbenchWaiting"), api)

    @property
    def workbench(self) -> QWidget | None:
        return self.page

    def build(self, api: Api) -> QWidget:
        from ui.lead.workbench import Workbench  # the lead's code and its charts: not at an operator's start

        return Workbench(api=api, tasks=self.tasks, me=self.me)


class TrainingSlot(ServerSlot):
    """The trainer's 培训管理 (ui/training/manage/page.py): scenarios, assignments and results all live on the
    central server. A trainer never gets the real case form, connected or not."""

    def __init__(self, *, tasks: TaskManager, me: Operator, city: City, data_dir: Path, api: Api | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.me, self.city, self.data_dir = tasks, me, city, data_dir
        self.preview: QWidget | None = None  # the practice window of the last 预览 (kept: it has no parent)
        self.start(_notice(self.tr("未连接中心服务器：场景库、布置练习和练习成绩都保存在中心服务器上，"
                                   "连接建立后自动显示。\n培训账号不能受理真实工单。"), "trainingWaiting"), api)

    def build(self, api: Api) -> QWidget:
        from ui.training.manage.kb_titles import article_titles
        from ui.training.manage.page import TrainingManagePage

        page = TrainingManagePage(api=api, tasks=self.tasks, me=self.me, city=self.city,
                                  article_title=article_titles(self.data_dir))
        page.preview_requested.connect(self.open_preview)
        return page

    def open_preview(self, scenario: Scenario) -> None:
        """Play `scenario` as a trainee would, in the practice window's preview mode: scored, kept nowhere."""
        from ui.training.practice.window import open_preview

        if self.preview is not None:
            self.preview.close()
        self.preview = open_preview(scenario, city=self.city, data_dir=self.data_dir, tasks=self.tasks)

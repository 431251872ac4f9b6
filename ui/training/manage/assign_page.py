"""布置练习: the assignments on the central server (title, 练习/考试, how many scenarios, time limit, suggestions off,
due date, how many of the trainees have finished), and 新建 (Ctrl+N) to assemble a new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from ui.common.named import named
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager
from ui.training.manage import keys
from ui.training.manage.texts import KIND, label, practice_error_text

Api = Callable[..., Any]
BASE = "/api/v1/practice"
COLUMNS = ("标题", "类型", "场景数", "每题限时", "派单建议", "截止时间", "完成情况")


def shown_due(value: object) -> str:
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def shown_limit(seconds: object) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
        return "按场景"
    return f"{int(seconds) // 60} 分 {int(seconds) % 60:02d} 秒" if seconds >= 60 else f"{int(seconds)} 秒"


class AssignPage(QWidget):
    loaded = Signal()

    def __init__(self, *, api: Api, tasks: TaskManager, me: Operator, city: City,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me, self.city = api, tasks, me, city
        self.rows: list[dict[str, Any]] = []
        self.note = ""  # said again after the next load (e.g. what was just created)
        self.dialog: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.table = named(read_only_table([self.tr(c) for c in COLUMNS], stretch=0, single=False), "assignmentTable")
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.new_button = keys.action_button(self, self.tr("新建练习或考试"), keys.NEW, self.new_assignment)
        self.refresh_button = keys.action_button(self, self.tr("刷新"), keys.REFRESH, self.refresh)
        actions.addWidget(self.new_button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        layout.addLayout(actions)
        self.message = named(QLabel(), "assignMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        api = self.api
        self.message.setText(self.tr("正在读取……"))
        self.tasks.network(lambda: api("GET", f"{BASE}/assignments"), self._loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(practice_error_text(exc))

    def _loaded(self, answer: dict[str, Any]) -> None:
        rows = answer.get("assignments", []) if isinstance(answer, dict) else []
        self.rows = [r for r in rows if isinstance(r, dict)]
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            progress = row.get("progress") if isinstance(row.get("progress"), dict) else {}
            assert isinstance(progress, dict)
            cells = (str(row.get("title", "")), label(KIND, str(row.get("kind", ""))),
                     str(len(row.get("scenario_ids", []) or [])), self.tr(shown_limit(row.get("time_limit_seconds"))),
                     self.tr("关闭") if row.get("suggestions_off") else self.tr("显示"), shown_due(row.get("due_at")),
                     self.tr("%1 / %2 人完成").replace("%1", str(progress.get("finished", 0)))
                     .replace("%2", str(progress.get("assigned", len(row.get("assignees", []) or [])))))
            for j, cell in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(cell))
        self.message.setText(self.note if self.rows else self.tr("还没有布置练习：按 %1 新建。")
                             .replace("%1", keys.key_text(keys.NEW)))
        self.note = ""
        self.loaded.emit()

    def new_assignment(self) -> None:
        from ui.training.manage.assign_dialog import AssignDialog

        dialog = AssignDialog(api=self.api, tasks=self.tasks, city=self.city, parent=self)
        dialog.created.connect(self._created)
        self.dialog = dialog
        dialog.open()

    def _created(self, answer: dict[str, Any]) -> None:
        self.note = self.tr("已布置“%1”。").replace("%1", str(answer.get("title", "")))
        self.refresh()

"""练习 (Ctrl+5): the trainee's practice workspace. My assignments (exercises and timed exams, due date, done and
best per scenario), the scenario library (filtered by category and difficulty: free practice), and my recent
results. Enter starts the selected one in the practice window (ui/training/practice/window.py).

It reads the practice store (operator_app/practice: practice.db beside the real store). When the desk has the sync
engine's `api` (`connect_api`, as the workbench gets it), the library is refreshed from the central server and
attempts still waiting are uploaded; without it, it works from the cache, or the demo scenarios of a seat that
never reached a server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from contract.practice.scenario import DIFFICULTIES, Scenario
from operator_app.paths import resources_dir
from ui.common.named import named
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager
from ui.common.texts import tr_core
from ui.training.practice.timer import mmss

if TYPE_CHECKING:
    from operator_app.practice import Assignment, AttemptRow, PracticeStore
    from ui.training.practice.window import PracticeWindow

log = logging.getLogger(__name__)
Api = Callable[..., Any]
REFRESH = "F5"
STATES = {"pending": "待上传", "sent": "已上传", "refused": "被拒收"}


def _table(name: str, headers: list[str], stretch: int) -> QTableWidget:
    table = named(read_only_table(headers, stretch=stretch), name)
    table.setTabKeyNavigation(False)  # Tab moves between the page's three lists
    return table


def _group(title: str, *widgets: QWidget | QHBoxLayout) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    for w in widgets:
        if isinstance(w, QHBoxLayout):
            layout.addLayout(w)
        else:
            layout.addWidget(w, 1)
    return box


class PracticePage(QWidget):
    def __init__(self, *, city: City, data_dir: Path, seat_code: str, tasks: TaskManager, me: Operator,
                 api: Api | None = None, resources: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "practicePage")
        self.city, self.data_dir, self.seat_code, self.tasks, self.me = city, data_dir, seat_code, tasks, me
        self.api: Api | None = None
        self.resources = resources or resources_dir()
        self.tz = ZoneInfo(city.timezone)
        self.pstore: PracticeStore | None = None
        self.scenarios: list[Scenario] = []
        self.assignments: list[Assignment] = []
        self.window_: PracticeWindow | None = None
        self._refreshing = self._again = False
        self._server_note = ""

        self.status = named(QLabel(self.tr("正在读取练习场景…")), "practiceStatus")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("从中心更新 (F5)"))
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        self.start_button = named(QPushButton(self.tr("开始练习 (Enter)")), "practiceStart")
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self.start_selected)
        note = named(QLabel(self.tr("练习在单独的“练习模式”窗口中进行，使用与受理相同的表单、知识库和派单建议；"
                                    "练习工单不进入真实工单，也不会派单。")), "practiceNote")
        note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.start_button)

        self.assignment_table = _table("practiceAssignments", [self.tr("作业"), self.tr("类型"), self.tr("截止"),
                                                              self.tr("完成情况")], 0)
        self.library = _table("practiceLibrary", [self.tr("场景"), self.tr("分类"), self.tr("难度"),
                                                  self.tr("限时")], 0)
        self.history_table = _table("practiceHistory", [self.tr("时间"), self.tr("场景"), self.tr("得分"),
                                                        self.tr("用时"), self.tr("上传")], 1)
        self.category_filter = named(QComboBox(), "practiceCategoryFilter")
        self.difficulty_filter = named(QComboBox(), "practiceDifficultyFilter")
        self.difficulty_filter.addItem(self.tr("全部难度"), 0)
        for level, text in DIFFICULTIES.items():
            self.difficulty_filter.addItem(tr_core(text), level)
        self.category_filter.currentIndexChanged.connect(self._fill_library)
        self.difficulty_filter.currentIndexChanged.connect(self._fill_library)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("分类")))
        filters.addWidget(self.category_filter, 1)
        filters.addWidget(QLabel(self.tr("难度")))
        filters.addWidget(self.difficulty_filter)
        for table in (self.assignment_table, self.library):
            table.activated.connect(lambda _index, t=table: self._start_from(t))

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(_group(self.tr("我的作业（练习与考试）"), self.assignment_table))
        left.addWidget(_group(self.tr("场景库（自由练习）"), filters, self.library))
        left.setSizes([220, 380])
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(_group(self.tr("我的最近成绩"), self.history_table))
        split.setSizes([760, 500])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(split, 1)
        QShortcut(QKeySequence(REFRESH), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut) \
            .activated.connect(self.refresh)
        self._store_asked = False  # the practice store opens when the page is first shown, not at the desk's start
        if api is not None:
            self.connect_api(api)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._store_asked:
            self._store_asked = True
            self._open_store()

    # -- data -------------------------------------------------------------------------------------------------
    def _open_store(self) -> None:
        from operator_app.practice import PracticeStore

        data_dir, seat = self.data_dir, self.seat_code
        self.tasks.write(lambda: PracticeStore.open(data_dir, seat_code=seat), self._store_opened, self._failed)

    def _store_opened(self, pstore: PracticeStore) -> None:
        self.pstore = pstore
        self.destroyed.connect(lambda *_: pstore.close())
        self.reload()
        if self.api is not None:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        log.warning("practice store: %s", type(exc).__name__)
        self.status.setText(self.tr("练习库无法打开：%1").replace("%1", str(exc)))

    def connect_api(self, api: Api) -> None:
        """The sync engine is set up: refresh the library and upload what waits (now, and on F5)."""
        self.api = api
        if self.pstore is not None:
            self.refresh()

    def reload(self) -> None:
        """Read the cache (or demo scenarios), my assignments and my recent attempts from the practice store."""
        pstore = self.pstore
        if pstore is None:
            return
        from operator_app.practice import available_scenarios, cached_assignments, history

        resources, me = self.resources, self.me.id

        def work() -> tuple[list[Scenario], list[Assignment], list[AttemptRow]]:
            return available_scenarios(pstore, resources), cached_assignments(pstore, me), history(pstore, me, 50)

        self.tasks.read(work, self._loaded, self._failed)

    def refresh(self) -> None:
        """Fetch scenarios and assignments from the central server and send pending attempts, then reload."""
        pstore, api = self.pstore, self.api
        if pstore is None:
            return
        if api is None:
            self.status.setText(self.tr("未连接中心服务器：使用本机已有的练习场景（成绩连接后自动上传）"))
            return
        if self._refreshing:  # one at a time; asked again meanwhile (e.g. a new api): once more after it
            self._again = True
            return
        self._refreshing, self._again = True, False
        from operator_app.practice import refresh_library, upload_pending

        me = self.me.id

        def work() -> tuple[Any, Any]:
            return refresh_library(pstore, api, trainee_id=me), upload_pending(pstore, api, trainee_id=me)

        def done(result: tuple[Any, Any]) -> None:
            self._refreshing = False
            if self._again:
                self.refresh()
                return
            library, upload = result
            problem = library.error or upload.error
            self._server_note = problem or self.tr("已从中心更新：%1 个场景，%2 项作业").replace(
                "%1", str(library.scenarios)).replace("%2", str(library.assignments))
            self.reload()

        def failed(exc: BaseException) -> None:
            self._refreshing = False
            self._failed(exc)
            if self._again:
                self.refresh()

        self.status.setText(self.tr("正在从中心服务器更新练习…"))
        self.tasks.network(work, done, failed)

    def _loaded(self, result: tuple[list[Scenario], list[Assignment], list[AttemptRow]]) -> None:
        self.scenarios, self.assignments, attempts = result
        self._fill_assignments()
        self._fill_categories()
        self._fill_library()
        self._fill_history(attempts)
        text = self.tr("%1 个练习场景，%2 项作业").replace("%1", str(len(self.scenarios))) \
            .replace("%2", str(len(self.assignments)))
        self.status.setText(text + ("　" + self._server_note if self._server_note else ""))

    def _fill_assignments(self) -> None:
        table = self.assignment_table
        table.setRowCount(len(self.assignments))
        for row, a in enumerate(self.assignments):
            best = [a.done[s] for s in a.scenario_ids if s in a.done]
            progress = self.tr("已做 %1/%2").replace("%1", str(len(best))).replace("%2", str(len(a.scenario_ids)))
            if best:
                progress += self.tr("，最高 %1").replace("%1", "、".join(f"{b:g}" for b in best))
            kind = self.tr("考试") if a.is_exam else self.tr("练习")
            if a.suggestions_off:
                kind += self.tr("（无派单建议）")
            cells = [a.title, kind, self._local(a.due_at) or self.tr("不限"), progress]
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))

    def _fill_categories(self) -> None:
        combo = self.category_filter
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("全部分类"), "")
        for top in sorted({s.key.category.split("/")[0] for s in self.scenarios}):
            combo.addItem(top, top)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def visible_scenarios(self) -> list[Scenario]:
        top, level = self.category_filter.currentData() or "", self.difficulty_filter.currentData() or 0
        return [s for s in self.scenarios
                if (not top or s.key.category.split("/")[0] == top) and (not level or s.difficulty == level)]

    def _fill_library(self) -> None:
        shown = self.visible_scenarios()
        table = self.library
        table.setRowCount(len(shown))
        for row, s in enumerate(shown):
            cells = [s.title, s.key.category.replace("/", " / "), tr_core(DIFFICULTIES.get(s.difficulty, "")),
                     mmss(s.time_limit_seconds)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                table.setItem(row, column, item)
        if shown and table.currentRow() < 0:
            table.setCurrentCell(0, 0)

    def _fill_history(self, attempts: list[AttemptRow]) -> None:
        table = self.history_table
        table.setRowCount(len(attempts))
        for row, a in enumerate(attempts):
            cells = [self._local(a.submitted_at), a.scenario.title, f"{a.total:g}", mmss(a.seconds),
                     tr_core(STATES.get(a.state, a.state))]
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))

    def _local(self, iso: str | None) -> str:
        if not iso:
            return ""
        try:
            return datetime.fromisoformat(iso).astimezone(self.tz).strftime("%m-%d %H:%M")
        except ValueError:
            return iso

    # -- starting -------------------------------------------------------------------------------------------
    def start_selected(self) -> None:
        table = self.assignment_table if self.assignment_table.hasFocus() else self.library
        self._start_from(table)

    def _start_from(self, table: QTableWidget) -> None:
        row = table.currentRow()
        if row < 0:
            self.status.setText(self.tr("请先选中一项作业或一个场景"))
            return
        if table is self.assignment_table:
            assignment = self.assignments[row]
            by_id = {s.id: s for s in self.scenarios}
            scenarios = [by_id[i] for i in assignment.scenario_ids if i in by_id]
            if not scenarios:
                self.status.setText(self.tr("该作业的场景尚未同步到本机，请连接中心服务器后按 F5 更新"))
                return
            self.start(scenarios, assignment)
        else:
            item = table.item(row, 0)
            sid = item.data(Qt.ItemDataRole.UserRole) if item else None
            chosen = [s for s in self.scenarios if s.id == sid]
            if chosen:
                self.start(chosen, None)

    def close_window(self) -> None:
        """The desk is closing (hand-over): a practice call does not outlive the shift it belongs to."""
        if self.window_ is not None:
            self.window_.abandon()
            self.window_ = None

    def start(self, scenarios: list[Scenario], assignment: Assignment | None) -> PracticeWindow | None:
        if self.pstore is None:
            return None
        from ui.training.practice.window import PracticeWindow

        if self.window_ is not None:
            self.window_.close()
            if self.window_.isVisible():  # an exam still running, and the trainee chose to go on with it
                self.window_.raise_()
                self.window_.activateWindow()
                return self.window_
        window = self.window_ = PracticeWindow(city=self.city, data_dir=self.data_dir, tasks=self.tasks,
                                               scenarios=scenarios, trainee_id=self.me.id, pstore=self.pstore,
                                               assignment=assignment, api=self.api, parent=self)
        window.closed.connect(self.reload)
        window.attempt_recorded.connect(lambda _result: self.reload())
        window.show()
        window.raise_()
        window.activateWindow()
        return window

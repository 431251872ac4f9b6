"""班次队列: every case of the lead's team in the chosen range, from every seat. Filter buttons with their counts
(Alt+letter each), a search box, a sortable table (special-needs callers first, overdue rows highlighted), the
seats' unsynced backlog when the server reports it, export, and Enter or a double click opens the case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from ui.common.tasks import TaskManager
from ui.common.times import shown_time
from ui.lead.case_dialog import CaseDialog
from ui.lead.case_errors import lead_error_text
from ui.lead.export import write_csv, write_html
from ui.lead.queue_model import QueueTableModel
from ui.lead.queue_text import FILTERS, lead_city

Api = Callable[..., Any]


def shortcut(keys: QKeySequence, parent: QWidget, slot: Callable[[], object],
             context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QShortcut:
    """A key for `slot` while the focus is inside `parent`: the desk window hosting the workbench keeps its own keys
    (its Ctrl+F searches "my cases") without an ambiguous shortcut that would fire neither."""
    made = QShortcut(keys, parent)
    made.setContext(context)
    made.activated.connect(slot)
    return made


class QueuePage(QWidget):
    """`painted` once the rows of a loaded answer are in the table (the benchmark waits for it)."""

    painted = Signal()

    def __init__(self, *, api: Api, tasks: TaskManager, me: Operator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me = api, tasks, me
        self.range: tuple[datetime, datetime] | None = None
        self.answer: dict[str, Any] | None = None
        self.tz: ZoneInfo | None = None
        self._loading = 0
        self.dialog: CaseDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.filter_bar = QHBoxLayout()
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QPushButton] = {}
        for key, label, letter in FILTERS:
            button = QPushButton(self.tr(label))
            button.setCheckable(True)
            button.setToolTip(self.tr("%1（Alt+%2）").replace("%1", self.tr(label)).replace("%2", letter))
            button.clicked.connect(lambda _=False, k=key: self.set_filter(k))
            shortcut(QKeySequence(f"Alt+{letter}"), self, partial(self.set_filter, key))
            self.filter_group.addButton(button)
            self.filter_buttons[key] = button
            self.filter_bar.addWidget(button)
        self.filter_buttons["all"].setChecked(True)
        self.filter_buttons["unsynced_seats"].setVisible(False)
        self.filter_bar.addStretch(1)
        layout.addLayout(self.filter_bar)

        tools = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：工单号、诉求内容、街道、话务员（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        shortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search.setFocus)
        tools.addWidget(self.search, 1)
        self.summary = QLabel()
        self.summary.setMinimumWidth(self.summary.fontMetrics().horizontalAdvance(self.tr("显示 20000 件")) + 8)
        tools.addWidget(self.summary)
        export_csv = QPushButton(self.tr("导出CSV"))
        export_csv.clicked.connect(self.ask_export_csv)
        export_html = QPushButton(self.tr("打印报表"))
        export_html.clicked.connect(self.ask_export_html)
        tools.addWidget(export_csv)
        tools.addWidget(export_html)
        layout.addLayout(tools)

        self.model = QueueTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the server's order
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, width in enumerate((140, 60, 85, 105, 45, 140, 105, 110, 50, 95, 130)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._open_index)
        for enter in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(QKeySequence(enter), self.table, self.open_current, Qt.ShortcutContext.WidgetShortcut)
        layout.addWidget(self.table, 1)

        self.backlog_title = QLabel(self.tr("座席未同步（待上传到中心的变更）"))
        self.backlog = QTableWidget(0, 4)
        self.backlog.setHorizontalHeaderLabels([self.tr("座席"), self.tr("话务员"), self.tr("待上传"),
                                                self.tr("最早待传时间")])
        self.backlog.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backlog.verticalHeader().setVisible(False)
        self.backlog.setMaximumHeight(110)
        self.backlog.horizontalHeader().setStretchLastSection(True)
        for widget in (self.backlog_title, self.backlog):
            widget.setVisible(False)
            layout.addWidget(widget)
        self.status = QLabel()
        layout.addWidget(self.status)

    # --- loading -------------------------------------------------------------------------------------------
    def set_range(self, start: datetime, end: datetime) -> None:
        self.range = (start, end)
        self.refresh()

    def refresh(self) -> None:
        if self.range is None:
            return
        start, end = self.range
        api = self.api
        params = {"from": start.isoformat(), "to": end.isoformat()}
        self._loading += 1
        ticket = self._loading
        self.status.setText(self.tr("正在读取班次队列…"))

        def fetch() -> tuple[dict[str, Any], City]:
            return api("GET", "/api/v1/lead/queue", params=params), lead_city()

        self.tasks.network(fetch, lambda result: self._show(ticket, result),
                           lambda exc: self._failed(ticket, exc))

    def _failed(self, ticket: int, exc: BaseException) -> None:
        if ticket == self._loading:
            self.status.setText(lead_error_text(self, exc))

    def _show(self, ticket: int, result: tuple[dict[str, Any], City]) -> None:
        if ticket != self._loading:  # an older range's answer arriving late
            return
        answer, city = result
        self.answer, self.tz = answer, ZoneInfo(city.timezone)
        counts: Mapping[str, int] = answer.get("counts") or {}
        backlog = answer.get("backlog")
        unsynced = frozenset(str(b.get("seat_code")) for b in backlog or () if int(b.get("pending") or 0) > 0)
        for key, label, _letter in FILTERS:
            button = self.filter_buttons[key]
            button.setText(f"{self.tr(label)} {counts.get(key, 0)}")
            if key == "unsynced_seats":
                button.setVisible(key in counts)
        self.model.set_rows(list(answer.get("rows") or []), self.tz, unsynced)
        self._show_backlog(backlog)
        self.status.setText(self.tr("%1 至 %2").replace("%1", shown_time(answer.get("from"), self.tz))
                            .replace("%2", shown_time(answer.get("to"), self.tz)))
        self._update_summary()
        self.table.viewport().repaint()  # painted now, before anything else runs on the GUI thread
        self.painted.emit()

    def _show_backlog(self, backlog: list[Mapping[str, Any]] | None) -> None:
        shown = backlog is not None
        self.backlog_title.setVisible(shown)
        self.backlog.setVisible(shown)
        if not shown:
            return
        rows = backlog or []
        self.backlog.setRowCount(len(rows))
        for r, item in enumerate(rows):
            cells = (str(item.get("seat_code") or ""),
                     f"{item.get('operator_name') or ''}（{item.get('operator_id') or ''}）",
                     str(item.get("pending") or 0), shown_time(item.get("oldest_pending_at"), self.tz))
            for c, text in enumerate(cells):
                self.backlog.setItem(r, c, QTableWidgetItem(text))
        self.backlog.resizeColumnsToContents()

    # --- filter, search, open ------------------------------------------------------------------------------
    def set_filter(self, key: str) -> None:
        button = self.filter_buttons[key]
        if not button.isVisible() and key != "all":
            return
        button.setChecked(True)
        self.model.set_filter(key)
        self._update_summary()

    def _search_changed(self, text: str) -> None:
        self.model.set_query(text)
        self._update_summary()

    def _update_summary(self) -> None:
        self.summary.setText(self.tr("显示 %1 件").replace("%1", str(self.model.rowCount())))

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case(self.model.row_at(index.row())["number"])

    def open_current(self) -> None:
        self._open_index(self.table.currentIndex())

    def open_case(self, number: str) -> CaseDialog:
        """The case dialog (non-modal: the queue stays readable beside it); an action refreshes the queue."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = CaseDialog(number, api=self.api, tasks=self.tasks, parent=self)
        self.dialog.changed.connect(self.refresh)
        self.dialog.show()
        return self.dialog

    # --- export --------------------------------------------------------------------------------------------
    def _period(self) -> str:
        answer = self.answer or {}
        return self.tr("%1 至 %2，%3 班组，共 %4 件").replace(
            "%1", shown_time(answer.get("from"), self.tz, "%Y-%m-%d %H:%M")).replace(
            "%2", shown_time(answer.get("to"), self.tz, "%Y-%m-%d %H:%M")).replace(
            "%3", str(answer.get("team") or "")).replace("%4", str(self.model.rowCount()))

    def ask_export_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("导出班次队列"), "班次队列.csv", self.tr("CSV 文件 (*.csv)"))
        if name:
            self.export_csv(Path(name))

    def ask_export_html(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("保存班次队列报表"), "班次队列报表.html",
                                              self.tr("网页 (*.html)"))
        if name:
            self.export_html(Path(name))

    def export_csv(self, path: Path) -> None:
        rows, tz = self.model.visible_rows(), self.tz
        self.tasks.read(lambda: write_csv(path, rows, tz), lambda _: self._exported(path), self._export_failed)

    def export_html(self, path: Path) -> None:
        rows, tz = self.model.visible_rows(), self.tz
        counts = self.answer.get("counts", {}) if self.answer else {}
        shown = [(self.tr(label), int(counts[key])) for key, label, _ in FILTERS if key in counts]
        title, period = self.tr("班次队列报表"), self._period()
        self.tasks.read(lambda: write_html(path, rows, tz, title=title, period=period, counts=shown),
                        lambda _: self._exported(path), self._export_failed)

    def _exported(self, path: Path) -> None:
        self.status.setText(self.tr("已导出：%1").replace("%1", str(path)))

    def _export_failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("导出失败：%1").replace("%1", type(exc).__name__))

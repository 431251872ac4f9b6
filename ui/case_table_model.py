"""Thin Qt model over the case-list query: pages are fetched off the GUI thread as the view scrolls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from operator_app.config.model import City
from operator_app.domain.enums import CaseStatus, SpecialNeed, Urgency
from operator_app.services.case_queries import CaseFilter, CaseRow, count_cases, list_cases, time_left
from operator_app.store.database import Store
from ui.category_text import short_category
from ui.tasks import TaskManager
from ui.texts import label_of

PAGE = 100  # rows per fetch: smaller pages keep each insert+paint on the GUI thread short
Index = QModelIndex | QPersistentModelIndex


def countdown_text(finish_by: str, now: datetime) -> tuple[str, bool]:
    """'剩 5小时12分' or '超时 0小时30分'; the flag is True when overdue."""
    left = time_left(finish_by, now)
    if left is None:
        return "—", False
    overdue = left.total_seconds() < 0
    minutes = int(abs(left.total_seconds()) // 60)
    if minutes >= 48 * 60:  # far away: days and hours read faster than 159 hours
        text = QCoreApplication.translate("CaseTableModel", "超时 %1天%2小时" if overdue else "剩 %1天%2小时")
        return text.replace("%1", str(minutes // 1440)).replace("%2", str(minutes % 1440 // 60)), overdue
    text = QCoreApplication.translate("CaseTableModel", "超时 %1小时%2分" if overdue else "剩 %1小时%2分")
    return text.replace("%1", str(minutes // 60)).replace("%2", f"{minutes % 60:02d}"), overdue


class CaseTableModel(QAbstractTableModel):
    """Rows of CaseRow; `loaded` fires after each refresh with the total number of matches."""

    loaded = Signal(int)
    COLUMNS = ("工单编号", "受理时间", "状态", "问题分类", "区县", "来电人", "电话", "特殊需求", "办结时限", "同步")

    def __init__(self, store: Store, city: City, tasks: TaskManager) -> None:
        super().__init__()
        self.store, self.city, self.tasks = store, city, tasks
        self.rows: list[CaseRow] = []
        self.texts: list[tuple[str, ...] | None] = []  # display text per row, formatted once on first paint
        self.total = 0
        self.filter = CaseFilter(timezone=city.timezone)
        self._generation = 0
        self._fetching = False
        self._tz = ZoneInfo(city.timezone)
        self.now = datetime.now(UTC)

    # -- loading -------------------------------------------------------------------------------------------
    def refresh(self, flt: CaseFilter | None = None) -> None:
        """Re-run the query (new filter or new data); the old rows stay until the new first page arrives."""
        if flt is not None:
            self.filter = flt
        self._generation += 1
        gen, flt_now = self._generation, self.filter
        def query() -> tuple[int, list[CaseRow]]:
            return count_cases(self.store, flt_now), list_cases(self.store, flt_now, limit=PAGE)

        self.tasks.read(query, lambda result: self._first_page(gen, result))

    def _first_page(self, gen: int, result: tuple[int, list[CaseRow]]) -> None:
        if gen != self._generation:
            return
        self.beginResetModel()
        self.total, self.rows = result
        self.texts = [None] * len(self.rows)
        self._fetching = False
        self.endResetModel()
        self.loaded.emit(self.total)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        gen, flt, offset = self._generation, self.filter, len(self.rows)
        self.tasks.read(lambda: list_cases(self.store, flt, offset=offset, limit=PAGE),
                        lambda rows: self._more(gen, offset, rows))

    def _more(self, gen: int, offset: int, rows: list[CaseRow]) -> None:
        if gen != self._generation or offset != len(self.rows):
            return
        self._fetching = False
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self.rows.extend(rows)
            self.texts.extend([None] * len(rows))
            self.endInsertRows()

    def tick(self) -> None:
        """Advance the countdown column to the current time."""
        self.now = datetime.now(UTC)
        if self.rows:
            self.dataChanged.emit(self.index(0, 8), self.index(len(self.rows) - 1, 8))

    # -- Qt model API --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 8:
                return countdown_text(self.rows[index.row()].finish_by, self.now)[0]
            texts = self.texts[index.row()]
            if texts is None:  # on the GUI thread: Qt's translate() must not be called from the read pool
                texts = self.texts[index.row()] = self._texts(self.rows[index.row()])
            return texts[col]
        if role not in (Qt.ItemDataRole.UserRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 8 and countdown_text(row.finish_by, self.now)[1]:
                return QBrush(QColor("#c62828"))
            if col == 7 and row.special_needs:
                return QBrush(QColor("#6a1b9a"))
            if col == 2 and row.urgency == Urgency.URGENT.value:
                return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return row.category.replace("/", " / ")
        return None

    def _texts(self, row: CaseRow) -> tuple[str, ...]:
        """Every column's text but the live countdown, formatted once per row (GUI thread: uses tr())."""
        return tuple(self._display(row, col) for col in range(len(self.COLUMNS)))

    def _display(self, row: CaseRow, col: int) -> str:
        if col == 0:
            return row.number
        if col == 1:
            return datetime.fromisoformat(row.created_at).astimezone(self._tz).strftime("%m-%d %H:%M")
        if col == 2:
            status = label_of(CaseStatus, row.status)
            return status + (self.tr("·紧急") if row.urgency == Urgency.URGENT.value else "")
        if col == 3:
            return short_category(row.category)
        if col == 4:
            dist = self.city.districts.get(row.district)
            return dist.name if dist else ""
        if col == 5:
            return row.caller or self.tr("匿名")
        if col == 6:
            return row.phone or self.tr("无号码")
        if col == 7:
            return "、".join(label_of(SpecialNeed, code) for code in row.special_needs.split(",") if code)
        if col == 8:
            return countdown_text(row.finish_by, self.now)[0]
        return self.tr("已同步") if row.synced else self.tr("待同步")

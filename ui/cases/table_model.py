"""Qt model over the case-list query: pages are fetched off the GUI thread as the view scrolls.

The rows are held in a QStandardItemModel, so painting the table reads them in C++: a QAbstractTableModel with a
Python data() needs the interpreter lock for every cell and role it paints, and waits for it whenever a worker
thread (a sync pass, the next page's query, a suggestion) is running Python — a repaint went from ≈45 ms to
≈300 ms that way. Each fetched page is formatted once, on the GUI thread (tr() and the city's names).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from contract.city.model import City
from contract.enums import CaseStatus, SpecialNeed, Urgency
from operator_app.services.case_queries import CaseFilter, CaseRow, count_cases, list_cases, time_left
from operator_app.store.database import Store
from ui.common.category_text import short_category
from ui.common.tasks import TaskManager
from ui.common.texts import label_of

PAGE = 100  # rows per fetch: smaller pages keep each insert on the GUI thread short
COUNTDOWN = 8  # the live column
ALERT = QColor("#c62828")
SPECIAL = QColor("#6a1b9a")
SENT_BACK = QColor("#e65100")  # 退回修改: the operator has to act
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


def _month_day_time(moment: datetime) -> str:
    """'11-29 16:34'. Not strftime: it imports `time` at each call, through PySide's import hook (≈30 µs)."""
    return f"{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


class CaseTableModel(QStandardItemModel):
    """Rows of CaseRow (`rows`, in display order); `loaded` fires after each refresh with the number of matches.

    The case id is column 0's UserRole.
    """

    loaded = Signal(int)
    COLUMNS = ("工单编号", "受理时间", "状态", "问题分类", "区县", "来电人", "电话", "特殊需求", "办结时限", "同步")

    def __init__(self, store: Store, city: City, tasks: TaskManager) -> None:
        super().__init__(0, len(self.COLUMNS))
        self.setHorizontalHeaderLabels([self.tr(name) for name in self.COLUMNS])
        self.store, self.city, self.tasks = store, city, tasks
        self.rows: list[CaseRow] = []
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
        self._fetching = True  # no fetchMore for the rows being replaced
        self.removeRows(0, self.rowCount())
        self.total, self.rows = result[0], []
        self._append(result[1])
        self._fetching = False
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
        if gen != self._generation:
            return
        self._fetching = False
        if offset == len(self.rows):  # else the rows changed meanwhile: the view asks again
            self._append(rows)

    def _append(self, rows: list[CaseRow]) -> None:
        self.now = datetime.now(UTC)
        for row in rows:
            self.appendRow(self._items(row))
        self.rows.extend(rows)

    def tick(self) -> None:
        """Advance the countdown column to the current time (only cells whose text changes are touched)."""
        self.now = datetime.now(UTC)
        for r, row in enumerate(self.rows):
            item = self.item(r, COUNTDOWN)
            text, overdue = countdown_text(row.finish_by, self.now)
            if item.text() != text:
                item.setText(text)
                item.setData(QBrush(ALERT) if overdue else None, Qt.ItemDataRole.ForegroundRole)

    # -- one row -------------------------------------------------------------------------------------------
    def _items(self, row: CaseRow) -> list[QStandardItem]:
        """The row's cells: texts, colours for overdue/special needs/urgent, the full category as a tooltip."""
        urgent = row.urgency == Urgency.URGENT.value
        sent_back = row.status == CaseStatus.CORRECTING.value
        status = label_of(CaseStatus, row.status) + (self.tr("·紧急") if urgent else "")
        if sent_back and row.reason:
            status += self.tr("：%1").replace("%1", row.reason)
        dist = self.city.districts.get(row.district)
        needs = "、".join(label_of(SpecialNeed, code) for code in row.special_needs.split(",") if code)
        countdown, overdue = countdown_text(row.finish_by, self.now)
        items = [QStandardItem(text) for text in (
            row.number,
            _month_day_time(datetime.fromisoformat(row.created_at).astimezone(self._tz)),
            status,
            short_category(row.category),
            dist.name if dist else "",
            row.caller or self.tr("匿名"),
            row.phone or self.tr("无号码"),
            needs,
            countdown,
            self.tr("已同步") if row.synced else self.tr("待同步"),
        )]
        items[0].setData(row.id, Qt.ItemDataRole.UserRole)
        items[3].setToolTip(row.category.replace("/", " / "))
        if urgent:
            items[2].setForeground(QBrush(ALERT))
        if sent_back:
            items[2].setForeground(QBrush(SENT_BACK))
            font = items[2].font()
            font.setBold(True)
            items[2].setFont(font)
            items[2].setToolTip(self.tr("班组长退回修改：%1\n双击打开，更正后重新提交").replace("%1", row.reason or "—"))
        if needs:
            items[7].setForeground(QBrush(SPECIAL))
        if overdue:
            items[COUNTDOWN].setForeground(QBrush(ALERT))
        return items

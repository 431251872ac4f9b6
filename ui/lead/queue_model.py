"""The shift queue as a table: every row of the answer held once, filtered, searched and sorted here.

A row's cells are formatted once, the first time they are needed (painted, sorted on, searched, exported), and
kept: data() is then a lookup (the view asks for hundreds of cells a frame, each call holding the interpreter
lock), and a new answer of thousands of rows costs only the rows in view.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.lead.queue_text import COLUMNS, row_cells, search_text

Index = QModelIndex | QPersistentModelIndex
OVERDUE = QBrush(QColor("#fde0dc"))
DUE_SOON = QBrush(QColor("#fff4d6"))
SPECIAL = QBrush(QColor("#6a1b9a"))
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's dict (the case dialog opens its number)


class QueueTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Mapping[str, Any]] = []
        self._cells: list[tuple[str, ...] | None] = []
        self._search: list[str] | None = None
        self._tz: tzinfo | None = None
        self._visible: list[int] = []
        self._filter = "all"
        self._query = ""
        self._unsynced_seats: frozenset[str] = frozenset()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # --- data in -------------------------------------------------------------------------------------------
    def set_rows(self, rows: list[Mapping[str, Any]], tz: tzinfo | None,
                 unsynced_seats: frozenset[str] = frozenset()) -> None:
        """Replace every row (the server's order: special-needs callers first, newest first)."""
        self.beginResetModel()
        self._rows = rows
        self._tz = tz
        self._cells = [None] * len(rows)
        self._search = None
        self._unsynced_seats = unsynced_seats
        self._refilter()
        self.endResetModel()

    def set_filter(self, key: str) -> None:
        self.beginResetModel()
        self._filter = key
        self._refilter()
        self.endResetModel()

    def set_query(self, text: str) -> None:
        self.beginResetModel()
        self._query = text.strip().casefold()
        self._refilter()
        self.endResetModel()

    def _accepts(self, i: int) -> bool:
        row = self._rows[i]
        if self._filter == "unsynced_seats":
            if row.get("seat_code") not in self._unsynced_seats:
                return False
        elif self._filter != "all" and self._filter not in row.get("filters", ()):
            return False
        if not self._query:
            return True
        if self._search is None:
            self._search = [search_text(r) for r in self._rows]
        return all(word in self._search[i] for word in self._query.split())

    def _cell_row(self, i: int) -> tuple[str, ...]:
        cells = self._cells[i]
        if cells is None:
            cells = self._cells[i] = row_cells(self._rows[i], self._tz)
        return cells

    def _refilter(self) -> None:
        self._visible = [i for i in range(len(self._rows)) if self._accepts(i)]
        if self._sort is not None:
            self._apply_sort(*self._sort)

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        if column == 2:  # acceptance time: sort on the instant, not on the shown text
            def key(i: int) -> Any:
                return self._rows[i].get("accepted_at") or ""
        else:
            def key(i: int) -> Any:
                return self._cell_row(i)[column]
        self._visible.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        if column < 0:  # no sort column: the server's order again
            self._sort = None
            self._visible.sort()
        else:
            self._sort = (column, order)
            self._apply_sort(column, order)
        self.layoutChanged.emit()

    # --- what the view reads -------------------------------------------------------------------------------
    def row_at(self, visible_row: int) -> Mapping[str, Any]:
        return self._rows[self._visible[visible_row]]

    def visible_rows(self) -> list[Mapping[str, Any]]:
        return [self._rows[i] for i in self._visible]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("LeadQueue", COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        i = self._visible[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_row(i)[index.column()]
        row = self._rows[i]
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.get("overdue"):
                return OVERDUE
            return DUE_SOON if row.get("due_within_hour") else None
        if role == Qt.ItemDataRole.ForegroundRole and row.get("special_needs") and index.column() in (0, 8):
            return SPECIAL
        if role == Qt.ItemDataRole.FontRole and row.get("overdue") and index.column() == 10:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 10 and row.get("returned_reason"):
                return QCoreApplication.translate("LeadQueue", "退单原因：%1").replace("%1", row["returned_reason"])
            if index.column() == 5:  # the table shows the category without its top level
                return row.get("category") or None
            return self._cell_row(i)[index.column()] or None  # a cut-off cell in full
        if role == ROW_ROLE:
            return row
        return None

"""我的工单: this shift / today / all, search and status filter over a lazily fetched table, and the count of the
operator's cases sent back for correction (退回修改), whatever the filter, as a button for the desk's status bar."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from contract.enums import CaseStatus
from operator_app.services.case_queries import SEARCH_MAX_CHARS, CaseFilter, count_cases
from ui.cases.table_model import CaseTableModel
from ui.common.named import named
from ui.common.texts import label


class CaseTableView(QTableView):
    """Enter opens the current case, as double-click does."""

    activated_row = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        case_id = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.activated_row.emit(case_id)


class CaseListView(QWidget):
    """Filters on top, table below; `open_case` carries the id of the case to show. `sent_back` is the button
    "2 件退回修改" (hidden when there are none); clicking it lists them, and `show_requested` asks to be shown."""

    open_case = Signal(str)
    show_requested = Signal()

    def __init__(self, model: CaseTableModel, *, operator_id: str, shift_start: str) -> None:
        super().__init__()
        self.model = model
        self.operator_id, self.shift_start = operator_id, shift_start
        self.scope = named(QComboBox(), "scope")
        for code, text in (("shift", self.tr("本班次")), ("today", self.tr("今天")), ("all", self.tr("全部"))):
            self.scope.addItem(text, code)
        self.status = named(QComboBox(), "statusFilter")
        self.status.addItem(self.tr("全部状态"), "")
        for member in CaseStatus:
            self.status.addItem(label(member), member.value)
        self.search = named(QLineEdit(), "caseSearch")
        self.search.setPlaceholderText(self.tr("搜索工单编号、诉求内容或电话后4位以上 (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(SEARCH_MAX_CHARS)  # longer text matches no case's content
        self.search.setToolTip(self.tr("最多 %1 字").replace("%1", str(SEARCH_MAX_CHARS)))
        self.count = named(QLabel(), "caseCount")
        self.table = named(CaseTableView(), "caseTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        # Fixed row heights: inserting a fetched page then costs no per-row size hints on the GUI thread.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((160, 95, 170, 200, 70, 70, 110, 90, 120)):  # status: 退回修改 with its reason
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self.table._open)
        self.table.activated_row.connect(self.open_case)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._open_from_search)
        self._open_when_loaded = False
        self.scope.currentIndexChanged.connect(self.apply_filter)
        self.status.currentIndexChanged.connect(self.apply_filter)
        model.loaded.connect(self._show_count)
        model.loaded.connect(self.count_sent_back)
        self.sent_back = named(QToolButton(), "sentBackCount")
        self.sent_back.setAutoRaise(True)
        self.sent_back.setStyleSheet("QToolButton { color: #e65100; font-weight: bold; }")
        self.sent_back.setToolTip(self.tr("班组长退回、需要更正后重新提交的工单；点击查看"))
        self.sent_back.hide()
        self.sent_back.clicked.connect(self.list_sent_back)
        self.sent_back_total = 0
        self._ticker = QTimer(self, interval=30_000)
        self._ticker.timeout.connect(model.tick)
        self._ticker.start()

        bar = QHBoxLayout()
        bar.addWidget(self.scope)
        bar.addWidget(self.status)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def current_filter(self) -> CaseFilter:
        return CaseFilter(operator_id=self.operator_id, scope=self.scope.currentData(), shift_start=self.shift_start,
                          timezone=self.model.city.timezone, status=self.status.currentData(),
                          text=self.search.text())

    def apply_filter(self) -> None:
        self.model.refresh(self.current_filter())

    def _show_count(self, total: int) -> None:
        self.count.setText(self.tr("共 %1 件").replace("%1", str(total)))
        if total and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        if self._open_when_loaded:
            self._open_when_loaded = False
            self._open_current()

    def _open_from_search(self) -> None:
        """Enter in the search box opens the selected match (the first one of a new search); typed faster than
        the search's pause, it runs the search first and opens when the matches are in."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._open_when_loaded = True
            self.apply_filter()
            return
        self._open_current()

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        if index.isValid():
            self.table._open(index)

    def count_sent_back(self) -> None:
        """Count this operator's cases sent back for correction (any time, any filter) off the GUI thread."""
        flt = CaseFilter(operator_id=self.operator_id, status=CaseStatus.CORRECTING.value,
                         timezone=self.model.city.timezone)
        store = self.model.store
        self.model.tasks.read(lambda: count_cases(store, flt), self._show_sent_back)

    def _show_sent_back(self, total: int) -> None:
        self.sent_back_total = total
        self.sent_back.setText(self.tr("%1 件退回修改").replace("%1", str(total)))
        self.sent_back.setVisible(total > 0)

    def list_sent_back(self) -> None:
        """Every case of the operator's that waits for a correction."""
        self.search.clear()
        self.scope.setCurrentIndex(self.scope.findData("all"))
        self.status.setCurrentIndex(self.status.findData(CaseStatus.CORRECTING.value))
        self.apply_filter()
        self.show_requested.emit()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

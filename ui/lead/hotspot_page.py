"""热点 tab of the team lead's workbench: the range's hot spots ranked by size and growth; one opened shows its
cases; 督办 asks a reason and supervises every open case of the group. Hot spots are city-wide; no personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import Operator
from contract.enums import CaseStatus
from operator_app.errors import SyncError, SyncErrorKind
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager
from ui.common.texts import label_of
from ui.lead.hotspot_dialog import SuperviseDialog
from ui.lead.hotspot_items import Spot, growth_text, parse_spots, place_text, span_text

PATH = "/api/v1/lead/hotspots"
LIMIT = 50
SUGGESTED = QColor("#c62828")
SUPERVISED = QColor("#616161")


class HotspotPage(QWidget):
    loaded = Signal()  # a list arrived and is shown (tests wait for it)
    supervised = Signal(int)  # open cases that got the 督办 event

    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, me: Operator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._api, self._tasks, self._me = api, tasks, me
        self._range: tuple[datetime, datetime] | None = None
        self._spots: list[Spot] = []
        self._request = 0
        self._dialog: SuperviseDialog | None = None
        self._notice = ""  # what the last 督办 did, kept above the reloaded list

        self.heading = QLabel(self.tr("热点：同一地点、同一问题的工单"))
        self.heading.setObjectName("pageHeading")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.spot_table = _table([self.tr("排名"), self.tr("地点"), self.tr("问题"), self.tr("件数"), self.tr("增长"),
                                  self.tr("时间跨度"), self.tr("督办")])
        self.spot_table.itemSelectionChanged.connect(self._show_selected)
        header = self.spot_table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 3, 4, 5, 6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.detail_title = QLabel(self.tr("选择左侧的一个热点查看其工单"))
        self.detail_title.setStyleSheet("font-weight: bold;")
        self.detail_subtitle = QLabel()
        self.detail_subtitle.setWordWrap(True)
        self.detail_badge = QLabel()
        self.supervise_button = QPushButton(self.tr("督办…"))
        self.supervise_button.setEnabled(False)
        self.supervise_button.clicked.connect(self.ask_reason)
        self.case_table = _table([self.tr("工单编号"), self.tr("受理时间"), self.tr("区县/街道"), self.tr("内容摘要"),
                                  self.tr("状态")])
        self.case_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 2, 4):
            self.case_table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.detail_title, 1)
        head.addWidget(self.detail_badge)
        head.addWidget(self.supervise_button)
        dl.addLayout(head)
        dl.addWidget(self.detail_subtitle)
        dl.addWidget(self.case_table, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.spot_table)
        split.addWidget(detail)
        split.setStretchFactor(0, 11)
        split.setStretchFactor(1, 9)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

    # --- range and loading ------------------------------------------------------------------------------------

    def set_range(self, start: datetime, end: datetime) -> None:
        """Show the hot spots of cases accepted in [start, end) (aware datetimes; shown in start's zone)."""
        self._range = (start, end)
        self.refresh()

    def refresh(self) -> None:
        if self._range is None:
            return
        start, end = self._range
        self._request += 1
        request = self._request
        self.status.setText(self.tr("正在读取热点…"))
        params = {"from": start.isoformat(), "to": end.isoformat(), "limit": LIMIT}
        self._tasks.network(lambda: self._api("GET", PATH, params=params),
                            lambda answer: self._on_loaded(request, answer),
                            lambda exc: self._on_failed(request, exc))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._range is None:  # shown before the workbench chose a range: the last 30 days
            end = datetime.now().astimezone()
            self.set_range(end - timedelta(days=30), end)

    def _on_loaded(self, request: int, answer: Any) -> None:
        if request != self._request:  # an answer to an older range
            return
        try:
            spots = parse_spots(answer)
        except ValueError as exc:
            self._on_failed(request, exc)
            return
        selected = self._selected()
        self._spots = spots
        self._fill_spots(selected.id if selected else None)
        suggested = sum(1 for s in spots if s.suggested)
        summary = (self.tr("共 %1 个热点（两件及以上），其中 %2 个建议督办。按件数和增长排序：增长 = 后半段件数 − 前半段件数。")
                   .replace("%1", str(len(spots))).replace("%2", str(suggested)) if spots
                   else self.tr("这段时间没有热点（没有两件及以上的同地点同问题工单）。"))
        self.status.setText(f"{self._notice}\n{summary}" if self._notice else summary)
        self._notice = ""
        self.loaded.emit()

    def _on_failed(self, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        self.status.setText(self.tr("无法读取热点：%1").replace("%1", self._failure(exc)))

    # --- the two tables ----------------------------------------------------------------------------------------

    def _tz(self) -> Any:
        return self._range[0].tzinfo if self._range else None

    def _fill_spots(self, keep_id: str | None) -> None:
        table = self.spot_table
        table.blockSignals(True)
        table.setRowCount(len(self._spots))
        for row, s in enumerate(self._spots):
            cells = [str(row + 1), place_text(s), s.title, str(s.size), growth_text(s.growth),
                     span_text(s.first_at, s.last_at, self._tz()), self._badge(s)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 6 and s.suggested:
                    item.setForeground(SUGGESTED)
                elif col == 6 and s.supervised:
                    item.setForeground(SUPERVISED)
                item.setToolTip(s.title if col == 2 else text)
                table.setItem(row, col, item)
        table.blockSignals(False)
        keep = next((i for i, s in enumerate(self._spots) if s.id == keep_id), None)
        if keep is not None:
            table.selectRow(keep)
        self._show_selected()

    def _badge(self, spot: Spot) -> str:
        if spot.suggested:
            return self.tr("建议督办")
        return self.tr("已督办") if spot.supervised else ""

    def _selected(self) -> Spot | None:
        rows = self.spot_table.selectionModel().selectedRows()
        return self._spots[rows[0].row()] if rows and rows[0].row() < len(self._spots) else None

    def _show_selected(self) -> None:
        spot = self._selected()
        self.supervise_button.setEnabled(spot is not None)
        if spot is None:
            self.detail_title.setText(self.tr("选择左侧的一个热点查看其工单"))
            self.detail_subtitle.setText("")
            self.detail_badge.setText("")
            self.case_table.setRowCount(0)
            return
        self.detail_title.setText(self.tr("%1　%2 件　%3").replace("%1", place_text(spot))
                                  .replace("%2", str(spot.size))
                                  .replace("%3", span_text(spot.first_at, spot.last_at, self._tz())))
        self.detail_subtitle.setText(spot.title + (f"（{spot.category.replace('/', ' / ')}）" if spot.category else ""))
        self.detail_badge.setText(self._badge(spot))
        self.detail_badge.setStyleSheet(f"color: {(SUGGESTED if spot.suggested else SUPERVISED).name()};"
                                        "font-weight: bold;")
        self.supervise_button.setText(self.tr("再次督办…") if spot.supervised else self.tr("督办…"))
        self.case_table.setRowCount(len(spot.cases))
        for row, c in enumerate(spot.cases):
            where = " ".join(x for x in (c.district, c.street) if x) or "—"
            cells = [c.number, f"{c.accepted_at.astimezone(self._tz()):%Y-%m-%d %H:%M}", where, c.title,
                     label_of(CaseStatus, c.status) if c.status else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.case_table.setItem(row, col, item)

    # --- 督办 ---------------------------------------------------------------------------------------------------

    def ask_reason(self) -> None:
        spot = self._selected()
        if spot is None:
            return
        self._dialog = SuperviseDialog(place_text(spot), self)
        self._dialog.accepted.connect(lambda: self._supervise(spot, self._dialog.text() if self._dialog else ""))
        self._dialog.open()

    def _supervise(self, spot: Spot, reason: str) -> None:
        self.supervise_button.setEnabled(False)
        self.status.setText(self.tr("正在督办…"))
        self._tasks.network(lambda: self._api("POST", f"{PATH}/{spot.id}/supervise", json_body={"reason": reason}),
                            lambda answer: self._on_supervised(spot, answer), self._on_supervise_failed)

    def _on_supervised(self, spot: Spot, answer: Any) -> None:
        count = int(answer.get("supervised_cases", 0)) if isinstance(answer, dict) else 0
        closed = int(answer.get("skipped_closed", 0)) if isinstance(answer, dict) else 0
        self._notice = (self.tr("已督办“%1”：%2 件在办工单已加督办，%3 件已办结未加。").replace("%1", place_text(spot))
                        .replace("%2", str(count)).replace("%3", str(closed)))
        self.refresh()
        self.supervised.emit(count)

    def _on_supervise_failed(self, exc: BaseException) -> None:
        self.supervise_button.setEnabled(self._selected() is not None)
        self.status.setText(self.tr("督办未成功：%1").replace("%1", self._failure(exc)))

    def _failure(self, exc: BaseException) -> str:
        """In plain Chinese: the server's own messages are English words for programs and logs."""
        if isinstance(exc, SyncError):
            if exc.kind is SyncErrorKind.NETWORK:
                return self.tr("无法连接中心服务器，请稍后点“刷新”重试。")
            if exc.kind is SyncErrorKind.AUTH:
                return self.tr("登录已过期，请重新登录。")
            if exc.code == "forbidden":
                return self.tr("您的角色不能查看或督办热点。")
            if exc.code == "hotspot_not_found":
                return self.tr("该热点已不存在，请刷新。")
            return self.tr("中心服务器拒绝了请求（%1）。").replace("%1", exc.code or "?")
        return self.tr("发生意外错误（%1）。").replace("%1", type(exc).__name__)


def _table(headers: list[str]) -> QTableWidget:
    return read_only_table(headers, wrap=False)

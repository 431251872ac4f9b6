"""班组长工作台: the range picker (当前班次 / 今天 / 自定义) over a tab per page. Every page is built as
`Page(*, api, tasks, me, parent)` and takes the range through `set_range(start, end)`.

Pages are listed in PAGES as (title, factory) (`add_page` adds one at run time too). The current shift comes from the server
(GET /api/v1/lead/shift, resources/lead/shifts.toml there)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from ui.common.tasks import TaskManager
from ui.lead.case_errors import lead_error_text
from ui.lead.hotspot_page import HotspotPage
from ui.lead.kpi_page import KpiPage
from ui.lead.quality_page import QualityPage
from ui.lead.queue_page import QueuePage, shortcut
from ui.lead.queue_text import lead_city

Api = Callable[..., Any]
PageFactory = Callable[..., QWidget]

# (tab title, factory): one entry per page of the workbench, in tab order.
PAGES: list[tuple[str, PageFactory]] = [
    ("班次队列", QueuePage),
    ("班次看板", KpiPage),
    ("热点", HotspotPage),
    ("质检", QualityPage),
]

SHIFT, TODAY, CUSTOM = range(3)


class Workbench(QWidget):
    """`range_changed(start, end)` after every new range (the pages have been told)."""

    range_changed = Signal(object, object)

    def __init__(self, *, api: Api, tasks: TaskManager, me: Operator, parent: QWidget | None = None,
                 pages: list[tuple[str, PageFactory]] | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me = api, tasks, me
        self.tz: ZoneInfo | None = None
        self.shift: dict[str, Any] | None = None
        self.range: tuple[datetime, datetime] | None = None
        self.pages: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("时间范围")))
        self.mode = QComboBox()
        self.mode.addItems([self.tr("当前班次"), self.tr("今天"), self.tr("自定义")])
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        bar.addWidget(self.mode)
        self.start_edit, self.end_edit = QDateTimeEdit(), QDateTimeEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        bar.addWidget(self.start_edit)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.end_edit)
        self.apply_button = QPushButton(self.tr("查询"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self._apply_custom)
        bar.addWidget(self.apply_button)
        self.refresh_button = QPushButton(self.tr("刷新（F5）"))
        self.refresh_button.clicked.connect(self.refresh)
        shortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        self.team_label = QLabel(self.tr("%1 · 班组长 %2").replace("%1", me.team or "—").replace("%2", me.name))
        bar.addWidget(self.team_label)
        layout.addLayout(bar)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.message = QLabel()
        layout.addWidget(self.message)
        for title, factory in (PAGES if pages is None else pages):
            self.add_page(title, factory)
        self.load_shift()

    def add_page(self, title: str, factory: PageFactory) -> QWidget:
        """Build one page and give it the current range, if there is one already."""
        page = factory(api=self.api, tasks=self.tasks, me=self.me, parent=self.tabs)
        self.tabs.addTab(page, self.tr(title))
        self.pages.append(page)
        if self.range is not None:
            page.set_range(*self.range)  # type: ignore[attr-defined]
        return page

    def page(self, kind: type) -> Any:
        return next(p for p in self.pages if isinstance(p, kind))

    # --- the range -----------------------------------------------------------------------------------------
    def load_shift(self) -> None:
        api = self.api

        def fetch() -> tuple[dict[str, Any], City]:
            return api("GET", "/api/v1/lead/shift"), lead_city()

        self.tasks.network(fetch, self._shift_loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(lead_error_text(self, exc))

    def _shift_loaded(self, result: tuple[dict[str, Any], City]) -> None:
        answer, city = result
        self.shift, self.tz = answer, ZoneInfo(city.timezone)
        self.message.setText("")
        self.mode.setItemText(SHIFT, self.tr("当前班次（%1）").replace("%1", answer["shift"]["name"]))
        if self.mode.currentIndex() == SHIFT:
            self._use_shift()

    def _use_shift(self) -> None:
        if self.shift is not None:
            self.set_range(datetime.fromisoformat(self.shift["shift"]["start"]),
                           datetime.fromisoformat(self.shift["shift"]["end"]))

    def _mode_changed(self, mode: int) -> None:
        custom = mode == CUSTOM
        for widget in (self.start_edit, self.end_edit, self.apply_button):
            widget.setEnabled(custom)
        if mode == SHIFT:
            self.load_shift()  # the shift may have changed since the workbench opened
        elif mode == TODAY and self.tz is not None:
            midnight = datetime.combine(datetime.now(self.tz).date(), time(0), tzinfo=self.tz)
            self.set_range(midnight, midnight + timedelta(days=1))
        elif custom and self.range is not None:
            self._show_range(*self.range)

    def _apply_custom(self) -> None:
        start, end = self._edited(self.start_edit), self._edited(self.end_edit)
        if end <= start:
            self.message.setText(self.tr("结束时间应晚于开始时间。"))
            return
        self.message.setText("")
        self.set_range(start, end)

    def _edited(self, edit: QDateTimeEdit) -> datetime:
        value = edit.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.replace(tzinfo=self.tz, second=0, microsecond=0)

    def _show_range(self, start: datetime, end: datetime) -> None:
        for edit, when in ((self.start_edit, start), (self.end_edit, end)):
            local = when.astimezone(self.tz) if self.tz is not None else when
            edit.setDateTime(QDateTime.fromString(local.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm"))

    def set_range(self, start: datetime, end: datetime) -> None:
        """Tell every page; the page in view first, so its request goes first."""
        self.range = (start, end)
        self._show_range(start, end)
        current = self.tabs.currentWidget()
        for page in sorted(self.pages, key=lambda p: p is not current):
            page.set_range(start, end)  # type: ignore[attr-defined]
        self.range_changed.emit(start, end)

    def refresh(self) -> None:
        if self.mode.currentIndex() == SHIFT and self.shift is not None \
                and datetime.now(self.tz) >= datetime.fromisoformat(self.shift["shift"]["end"]):
            self.load_shift()  # the shift is over: on to the next one
        elif self.range is not None:
            self.set_range(*self.range)

"""班次看板: the team's KPIs for the workbench's range — tiles for the rates (无数据 when the server has nothing to
count) and charts of cases per hour, per operator, the satisfaction split and 退单 per department; the shift report
exports as CSV and as a printable HTML page. The figures come from GET /api/v1/lead/kpis, on the network thread."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import Operator
from ui.common.tasks import TaskManager
from ui.lead.kpi_charts import BarChart, PieChart
from ui.lead.kpi_format import city_time, percent, tiles
from ui.lead.kpi_report import write_csv, write_html

KPIS_PATH = "/api/v1/lead/kpis"
# The workbench (ui/lead/workbench.py) adds this tab:
#     from ui.lead.kpi_page import KpiPage
#     self.kpis = KpiPage(api=api, tasks=tasks, me=me); tabs.addTab(self.kpis, self.tr("班次看板"))
# and calls self.kpis.set_range(start, end) whenever its range changes.


def hours_of(start: str, end: str) -> list[int]:
    """The clock hours a range of at most a day covers, in order from its start (a night shift wraps past 23);
    every hour of the day for a longer range."""
    try:
        first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except (TypeError, ValueError):
        return list(range(24))
    span = math.ceil((last - first).total_seconds() / 3600 + first.minute / 60)
    if not 0 < span < 24:
        return list(range(24))
    return [(first.hour + i) % 24 for i in range(span)]


class Tile(QFrame):
    """One figure: its title, its value large, and what it is made of."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        self.title = QLabel(title)
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #555; font-size: 11px;")
        for label in (self.title, self.value, self.detail):
            layout.addWidget(label)


RETURNS_SHOWN = 4


class KpiPage(QWidget):
    """The workbench's KPI tab. `set_range` loads the figures; `loaded` fires once they are shown."""

    loaded = Signal()
    failed = Signal(str)

    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, me: Operator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me = api, tasks, me
        self.figures: dict[str, Any] | None = None
        self._range: tuple[datetime, datetime] | None = None
        self._asked = 0  # only the answer to the latest request is shown

        self.heading = QLabel(self.tr("班次看板"))
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.period = QLabel("")
        self.status = QLabel("")
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.csv_button = QPushButton(self.tr("导出 CSV"))
        self.html_button = QPushButton(self.tr("导出报表（可打印）"))
        self.refresh_button.clicked.connect(self.reload)
        self.csv_button.clicked.connect(lambda: self._export("csv"))
        self.html_button.clicked.connect(lambda: self._export("html"))
        top = QHBoxLayout()
        for widget in (self.heading, self.period):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.status)
        for button in (self.refresh_button, self.csv_button, self.html_button):
            top.addWidget(button)

        self.tiles: dict[str, Tile] = {}
        tile_grid = QGridLayout()
        tile_grid.setSpacing(6)
        for i, (key, title, _, _) in enumerate(tiles(_EMPTY)):
            self.tiles[key] = tile = Tile(title)
            tile_grid.addWidget(tile, i // 4, i % 4)

        self.per_hour = BarChart(self.tr("每小时受理量（城市时间）"), [self.tr("受理")])
        self.per_operator = BarChart(self.tr("每位话务员受理量"), [self.tr("受理")])
        self.satisfaction = PieChart(self.tr("回访满意度"), self.tr("无数据"))
        self.returns = BarChart(self.tr("退单最多的承办单位"), [self.tr("派单"), self.tr("退单")], horizontal=True)
        charts = QGridLayout()
        charts.setSpacing(6)
        for i, chart in enumerate((self.per_hour, self.per_operator, self.satisfaction, self.returns)):
            charts.addWidget(chart, i // 2, i % 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(tile_grid)
        layout.addLayout(charts, 1)
        self._enable_export()

    # --- loading ------------------------------------------------------------------------------------------

    def set_range(self, start: datetime, end: datetime) -> None:
        self._range = (start, end)
        self.reload()

    def reload(self) -> None:
        if self._range is None:
            return
        start, end = self._range
        params = {"from": start.isoformat(), "to": end.isoformat()}
        self._asked += 1
        asked = self._asked
        self.status.setText(self.tr("正在加载…"))
        self.tasks.network(lambda: self.api("GET", KPIS_PATH, params=params),
                           lambda answer: self._show(asked, answer), lambda exc: self._fail(asked, exc))

    def _fail(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        message = self.tr("看板数据加载失败：%1").replace("%1", str(exc) or type(exc).__name__)
        self.status.setText(message)
        self.failed.emit(message)

    def _show(self, asked: int, k: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.figures = k
        self.status.setText("")
        self.period.setText(f"{city_time(k['from'])} — {city_time(k['to'])}")
        for key, _, value, detail in tiles(k):
            self.tiles[key].value.setText(value)
            self.tiles[key].detail.setText(detail)
        per_hour = {h["hour"]: h["count"] for h in k["cases_per_hour"]}
        shown_hours = hours_of(k["from"], k["to"])
        self.per_hour.show_values([str(h) for h in shown_hours], [[per_hour.get(h, 0) for h in shown_hours]])
        self.per_operator.show_values([o["name"] for o in k["cases_per_operator"]],
                                      [[o["count"] for o in k["cases_per_operator"]]])
        sat = k["satisfaction"]
        self.satisfaction.show_shares([(self.tr("满意"), sat["satisfied"]),
                                       (self.tr("基本满意"), sat["basically_satisfied"]),
                                       (self.tr("不满意"), sat["dissatisfied"]),
                                       (self.tr("无法联系"), sat["unreachable"])])
        # The chart has room for a few: the units that returned most (all of them are in the exported report).
        departments = sorted(k["returns_by_department"], key=lambda d: (-d["returned"], -d["dispatched"]))[:RETURNS_SHOWN]
        departments.reverse()  # a horizontal chart draws its first category at the bottom
        self.returns.show_values([f"{self.tr('退单率')} {percent(d['rate'])} {d['name']}" for d in departments],
                                 [[d["dispatched"] for d in departments], [d["returned"] for d in departments]])
        self._enable_export()
        self.loaded.emit()

    # --- the shift report ---------------------------------------------------------------------------------

    def _enable_export(self) -> None:
        for button in (self.csv_button, self.html_button):
            button.setEnabled(self.figures is not None)

    def export_csv(self, path: Path) -> None:
        assert self.figures is not None
        write_csv(self.figures, path)

    def export_html(self, path: Path) -> None:
        assert self.figures is not None
        write_html(self.figures, path)

    def _export(self, kind: str) -> None:
        if self.figures is None:
            return
        name = f"班次看板_{self.figures.get('team', '')}_{city_time(self.figures['from'])[:10]}"
        pattern = self.tr("CSV 文件 (*.csv)") if kind == "csv" else self.tr("网页报表 (*.html)")
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("导出班次报表"), f"{name}.{kind}", pattern)
        if not chosen:
            return
        try:
            (self.export_csv if kind == "csv" else self.export_html)(Path(chosen))
        except OSError as exc:
            self.status.setText(self.tr("导出失败：%1").replace("%1", exc.strerror or type(exc).__name__))
            return
        self.status.setText(self.tr("已导出：%1").replace("%1", chosen))


_ZERO = {"on_time": 0, "due": 0, "rate": None}
_EMPTY: dict[str, Any] = {
    "cases": 0, "response_on_time": _ZERO, "completion_on_time": _ZERO, "avg_wait_seconds": None,
    "avg_handling_seconds": None,
    "satisfaction": {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0, "unreachable": 0, "rate": None},
    "answer_rate": {"offered": 0, "answered": 0, "abandoned": 0, "rate": None},
    "routing": {"suggested": 0, "accepted": 0, "overridden": 0, "acceptance_rate": None, "override_rate": None},
}

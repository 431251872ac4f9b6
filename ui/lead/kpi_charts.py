"""The KPI page's charts (QtCharts from PySide6-Addons: imported only by the workbench, never at the desk's start).
Each chart is built once and refilled with `show_*`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


class BarChart(QChartView):
    """Bars per category, one set per series name (e.g. 派单 and 退单 side by side)."""

    def __init__(self, title: str, names: Sequence[str], parent: QWidget | None = None, *,
                 horizontal: bool = False) -> None:
        """`horizontal`: bars run left to right, categories down the side — for long names (departments)."""
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setVisible(len(names) > 1)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(self.chart_.margins() * 0)
        self.series = QHorizontalBarSeries() if horizontal else QBarSeries()
        self.sets = [QBarSet(name) for name in names]
        for bar_set in self.sets:
            self.series.append(bar_set)
        self.chart_.addSeries(self.series)
        self.x_axis = QBarCategoryAxis()
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        small = self.x_axis.labelsFont()
        small.setPointSizeF(max(6.0, small.pointSizeF() - 1.5))
        self.x_axis.setLabelsFont(small)
        self.x_axis.setTruncateLabels(not horizontal)  # a unit's name down the side is read whole
        # x_axis holds the categories, y_axis the values, whichever way the bars run
        self.chart_.addAxis(self.x_axis, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(self.y_axis, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.setChart(self.chart_)
        self.setMinimumHeight(150)

    def show_values(self, categories: Sequence[str], values: Sequence[Sequence[int]]) -> None:
        """`values[i]` holds the numbers of set i, one per category."""
        self.x_axis.clear()
        self.x_axis.append(list(categories))
        top = 0
        for bar_set, numbers in zip(self.sets, values, strict=True):
            bar_set.remove(0, bar_set.count())
            bar_set.append([float(n) for n in numbers])
            top = max(top, *numbers, 0)
        step = max(1, math.ceil(top / 5))  # whole-number ticks, at most six of them
        ceiling = step * max(1, math.ceil(top / step))
        self.y_axis.setRange(0, ceiling)
        self.y_axis.setTickCount(ceiling // step + 1)

    def ticks(self) -> list[float]:
        """The value axis' tick values (whole numbers, so the labels never round)."""
        count, top = self.y_axis.tickCount(), self.y_axis.max()
        return [top * i / (count - 1) for i in range(count)]

    def values(self, index: int = 0) -> list[int]:
        bar_set = self.sets[index]
        return [round(bar_set.at(i)) for i in range(bar_set.count())]

    def categories(self) -> list[str]:
        return list(self.x_axis.categories())


class PieChart(QChartView):
    """Shares of a whole; the title says 无数据 when every share is zero."""

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.title, self.empty_text = title, empty_text
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart_.setMargins(self.chart_.margins() * 0)
        self.series = QPieSeries()
        self.chart_.addSeries(self.series)
        self.setChart(self.chart_)
        self.setMinimumHeight(150)

    def show_shares(self, shares: Sequence[tuple[str, int]]) -> None:
        self.series.clear()
        total = sum(n for _, n in shares)
        self.chart_.setTitle(self.title if total else f"{self.title}（{self.empty_text}）")
        for label, n in shares:
            if n:
                pie = self.series.append(f"{label} {n}", float(n))
                pie.setLabelVisible(False)

    def shares(self) -> dict[str, int]:
        return {s.label(): round(s.value()) for s in self.series.slices()}

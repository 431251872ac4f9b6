"""One operator's quality trend: the average total per ISO week as a line chart (QtCharts), weeks without a
scored review left as gaps and named 无数据 under the chart."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.lead.quality_score_panel import named, wrapped


class TrendView(QWidget):
    """Pick an operator (`operator_picked` is the combo's signal); `show_trend` draws the server's answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operators = named(QComboBox(), "qualityTrendOperator")
        self.operators.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.view = named(QChartView(self.chart), "qualityTrendChart")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(160)
        self.summary = wrapped(named(QLabel(), "qualityTrendSummary"))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("话务员质检趋势（每周平均分）")))
        top.addStretch(1)
        top.addWidget(self.operators)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self.weeks: list[dict[str, Any]] = []

    def set_operators(self, people: list[tuple[str, str]]) -> None:
        """(id, name) pairs; keeps the current choice when it is still there."""
        current = self.operators.currentData()
        self.operators.blockSignals(True)
        self.operators.clear()
        for operator_id, name in people:
            self.operators.addItem(f"{name}（{operator_id}）", operator_id)
        index = self.operators.findData(current)
        self.operators.setCurrentIndex(max(index, 0))
        self.operators.blockSignals(False)

    def current_operator(self) -> str | None:
        data = self.operators.currentData()
        return str(data) if data else None

    def show_trend(self, trend: dict[str, Any] | None) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.weeks = list(trend["weeks"]) if trend else []
        if not self.weeks:
            self.summary.setText(self.tr("无数据"))
            return
        line, dots = QLineSeries(), QScatterSeries()
        dots.setMarkerSize(9)
        for index, week in enumerate(self.weeks):
            if week["average"] is not None:
                line.append(index, week["average"])
                dots.append(index, week["average"])
        x_axis = QBarCategoryAxis()
        x_axis.append([w["week"][-2:] for w in self.weeks])  # the ISO week number: narrow enough for 8+ weeks
        y_axis = QValueAxis()
        y_axis.setRange(0, 110)  # headroom: a week at 100 is drawn whole, not clipped at the edge
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(20)
        y_axis.setLabelFormat("%d")
        line.setPointLabelsVisible(True)
        line.setPointLabelsFormat("@yPoint")
        line.setPointLabelsClipping(False)
        for series in (line, dots):
            self.chart.addSeries(series)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (line, dots):
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        parts = [f"{w['week'][-3:]} " + (self.tr("%1 分（%2 件）").replace("%1", f"{w['average']:g}")
                                          .replace("%2", str(w["reviews"])) if w["average"] is not None
                                          else self.tr("无数据"))
                 for w in self.weeks]
        self.summary.setText("；".join(parts))

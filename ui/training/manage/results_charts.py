"""The results page's charts (QtCharts from PySide6-Addons: imported only by the trainers' pages, never at the
desk's start): the weekly trend (average score and skills' share right, 0–100) and the share right per skill.
Each chart is built once and refilled with `show_*`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui.training.manage.results_model import skill_label, tr


def _small(chart: QChart) -> QFont:
    font = chart.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() - 1.0))
    return font


def _percent_axis() -> QValueAxis:
    """0–100 % in steps of 20, with headroom: a line or a bar at 100 (and its label) is drawn whole."""
    axis = QValueAxis()
    axis.setRange(0, 110)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(20)
    axis.setLabelFormat("%d")
    return axis


class WeeklyChart(QChartView):
    """One line per series over the ISO weeks: the average score (thick) and each skill's share right in %.
    A week without attempts is a gap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setTitle(tr("每周趋势（平均分 / 正确率 %）"))
        self.chart_.setMargins(QMargins(2, 2, 2, 2))
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart_.legend().setFont(_small(self.chart_))
        self.setChart(self.chart_)
        self.setMinimumHeight(150)
        self.lines: dict[str, list[float | None]] = {}
        self.weeks: list[str] = []

    def show_weeks(self, weeks: Sequence[dict[str, Any]], skills: Sequence[str]) -> None:
        self.chart_.removeAllSeries()
        for axis in self.chart_.axes():
            self.chart_.removeAxis(axis)
        self.weeks = [w["week"] for w in weeks]
        self.lines = {"average": [w["average"] for w in weeks]}
        for skill in skills:
            self.lines[skill] = [None if w["skills"].get(skill) is None else round(w["skills"][skill] * 100, 1)
                                 for w in weeks]
        x_axis = QBarCategoryAxis()
        x_axis.append([f"W{w[-2:]}" for w in self.weeks] or [""])  # the ISO week number: narrow for 13 weeks
        x_axis.setLabelsFont(_small(self.chart_))
        y_axis = _percent_axis()
        y_axis.setLabelsFont(_small(self.chart_))
        self.chart_.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for key, values in self.lines.items():
            series = QLineSeries()
            series.setName(tr("平均分") if key == "average" else skill_label(key))
            for i, value in enumerate(values):
                if value is not None:
                    series.append(i, value)
            if key == "average":
                pen = QPen(QColor("#222"))
                pen.setWidth(3)
                series.setPen(pen)
            series.setPointsVisible(True)
            self.chart_.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)

    def series_names(self) -> list[str]:
        return [s.name() for s in self.chart_.series()]


class SkillBars(QChartView):
    """The share right of each skill, one horizontal bar per skill (the first skill at the top)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setTitle(tr("各项技能正确率（%）"))
        self.chart_.setTitleFont(_small(self.chart_))
        self.chart_.setMargins(QMargins(2, 0, 2, 0))
        self.chart_.legend().hide()
        self.series = QHorizontalBarSeries()
        self.bars = QBarSet(tr("正确率"))
        self.series.append(self.bars)
        self.series.setLabelsVisible(True)
        self.series.setLabelsFormat("@value")
        self.series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsInsideEnd)
        self.chart_.addSeries(self.series)
        self.y_axis = QBarCategoryAxis()
        tiny = _small(self.chart_)
        tiny.setPointSizeF(7.0)  # twelve skills in the bottom row's height at 720: Qt drops labels that overlap
        self.y_axis.setLabelsFont(tiny)
        self.y_axis.setTruncateLabels(False)  # a skill's name is read whole, even when the bars are thin at 720
        self.x_axis = _percent_axis()
        self.x_axis.setLabelsFont(_small(self.chart_))
        self.chart_.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart_.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.y_axis)
        self.series.attachAxis(self.x_axis)
        self.setChart(self.chart_)
        self.setMinimumHeight(150)

    def show_skills(self, shares: dict[str, float], skills: Sequence[str]) -> None:
        shown = [s for s in skills if s in shares][::-1]  # a horizontal chart draws its first category at the bottom
        self.y_axis.clear()
        self.y_axis.append([skill_label(s) for s in shown] or [tr("无数据")])
        self.bars.remove(0, self.bars.count())
        self.bars.append([round(shares[s] * 100) for s in shown])

    def values(self) -> dict[str, int]:
        """Label → share in %, top to bottom as drawn."""
        labels = list(self.y_axis.categories())
        return {labels[i]: round(self.bars.at(i)) for i in range(self.bars.count())}

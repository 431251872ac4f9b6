"""One trainee's results week by week (opened with Enter on the results page's table): the weekly table, the
weekly chart and the latest attempts, from GET /api/v1/practice/results?trainee=… over the page's range."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.common.times import shown_time
from ui.training.manage.results_charts import WeeklyChart
from ui.training.manage.results_model import (
    MAIN_SKILLS,
    RESULTS_PATH,
    RowsModel,
    duration,
    score_text,
    skills_shown,
    tr,
    week_table,
)


def table(name: str, model: RowsModel, *, stretch: int | None = None, fixed: int = 1) -> QTableView:
    """A read-only row table; column `stretch` takes the spare width (else every column but the first `fixed`
    ones, sized to their text, shares it: figures stay next to their names on a wide screen)."""
    view = named(QTableView(), name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    header = view.horizontalHeader()
    header.setMinimumSectionSize(36)
    if stretch is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        def size_fixed() -> None:
            for column in range(min(fixed, model.columnCount())):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        model.modelReset.connect(size_fixed)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(lambda: header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch))
    return view


class TraineeDialog(QDialog):
    """`loaded` fires once the trainee's weeks are shown; `failed(text)` when the server did not answer."""

    loaded = Signal()
    failed = Signal(str)

    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, trainee: dict[str, Any],
                 params: dict[str, str], tz: tzinfo | None, error_text: Callable[[BaseException], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz, self.error_text = tz, error_text
        self.setWindowTitle(tr("练习成绩 · %1").replace("%1", trainee["name"]))
        self.heading = named(QLabel(tr("%1（%2） · %3").replace("%1", trainee["name"]).replace("%2", trainee["id"])
                                    .replace("%3", trainee["team"] or "—")), "traineeHeading")
        self.heading.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.summary = named(QLabel(tr("正在加载…")), "traineeSummary")
        self.weeks = RowsModel()
        self.recent = RowsModel()
        self.week_view = table("traineeWeeks", self.weeks, fixed=2)
        self.recent_view = table("traineeRecent", self.recent, stretch=1)
        self.chart = WeeklyChart()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.week_view)
        split.addWidget(self.chart)
        split.addWidget(self.recent_view)
        split.setSizes([180, 240, 160])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭（Esc）"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(1040, 640)
        query = {**params, "trainee": trainee["id"]}
        tasks.network(lambda: api("GET", RESULTS_PATH, params=query), self._show, self._fail)

    def _fail(self, exc: BaseException) -> None:
        message = tr("加载失败：%1").replace("%1", self.error_text(exc))
        self.summary.setText(message)
        self.failed.emit(message)

    def _show(self, answer: dict[str, Any]) -> None:
        skills = skills_shown(answer)
        person = answer["trainees"][0] if answer["trainees"] else None
        self.summary.setText(tr("练习 %1 次 · 平均分 %2 · 用时中位数 %3")
                             .replace("%1", str(answer["attempts"])).replace("%2", score_text(answer["average"]))
                             .replace("%3", duration(person["median_seconds"] if person else None)))
        headers, cells = week_table(answer, skills)
        self.weeks.fill(headers, answer["weeks"], cells)
        self.chart.show_weeks(answer["weeks"], [s for s in MAIN_SKILLS if s in skills])
        self.recent.fill([tr("提交时间"), tr("场景"), tr("得分"), tr("用时")], answer["recent"],
                         [[shown_time(r["submitted_at"], self.tz, "%Y-%m-%d %H:%M"), r["title"],
                           score_text(r["total"]), duration(r["seconds"])] for r in answer["recent"]])
        self.week_view.setFocus()
        self.loaded.emit()

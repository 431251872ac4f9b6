"""练习成绩: what a trainer sees of the trainees' practice — for a range (本周 / 近4周 / 自定义) and optionally one
team or one trainee: a table per trainee (attempts, average, share right per skill, median time; Enter opens the
trainee's weeks), the weekly trend, the share right per skill, and the most frequent category confusions (应为 →
误选为) at level 1 or 3; everything exports as CSV. The figures come from GET /api/v1/practice/results, on the
network thread; the lead's TrainingManagePage adds this page as a tab."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from contract.roles import PRACTICE, may
from ui.common.errors import server_error_text
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.training.manage.results_charts import SkillBars, WeeklyChart
from ui.training.manage.results_model import (
    MAIN_SKILLS,
    RESULTS_PATH,
    RowsModel,
    confusion_rows,
    report_rows,
    score_text,
    skill_label,
    skills_shown,
    tr,
    trainee_table,
)
from ui.training.manage.results_trainee import TraineeDialog, table

THIS_WEEK, FOUR_WEEKS, CUSTOM = range(3)
ALL_MAIN, AVERAGE_ONLY = "main", "average"

_BY_CODE = {
    "forbidden": "您的角色不能查看练习成绩。",
    "invalid_range": "时间范围不正确：结束日期不能早于开始日期。",
    "range_too_large": "时间范围太长（最多 400 天），请缩短后再查询。",
    "invalid_request": "查询条件格式不正确，请检查后重试。",
}


def results_error_text(widget: QWidget | None, exc: BaseException) -> str:
    """The server's refusal or the network's failure in plain words."""
    return server_error_text(widget, exc, by_code=_BY_CODE, context="PracticeResults")


def week_range(today: date, weeks: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The last `weeks` ISO weeks up to and including today's, from Monday 00:00 to next Monday 00:00."""
    monday = today - timedelta(days=today.weekday())
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return datetime.combine(monday - timedelta(days=7 * (weeks - 1)), time(0), tzinfo=tz), end


class ResultsPage(QWidget):
    """`set_range(start, end)` shows [start, end) (aware datetimes, or naive in the city's time); `loaded` fires
    once an answer is shown, `failed(text)` when a query failed (the text is on the page too)."""

    loaded = Signal()
    failed = Signal(str)

    def __init__(self, *, api: Callable[..., Any], tasks: TaskManager, me: Operator, city: City,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me, self.city = api, tasks, me, city
        self.tz = ZoneInfo(city.timezone)
        self.answer: dict[str, Any] | None = None
        self.range: tuple[datetime, datetime] | None = None
        self.detail: TraineeDialog | None = None
        self._asked = 0  # only the answer to the latest request is shown
        self.people = sorted((p for p in city.roster.values() if may(p.role, PRACTICE)),
                             key=lambda p: (p.team, p.id))

        self.mode = named(QComboBox(), "resultsRange")
        self.mode.addItems([tr("本周"), tr("近4周"), tr("自定义")])
        self.mode.setCurrentIndex(FOUR_WEEKS)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.start_edit, self.end_edit = named(QDateEdit(), "resultsStart"), named(QDateEdit(), "resultsEnd")
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        self.apply_button = named(QPushButton(tr("查询(&Q)")), "resultsApply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self._apply_custom)
        self.team = named(QComboBox(), "resultsTeam")
        self.team.addItem(tr("全部班组"), "")
        for team in sorted({p.team for p in self.people if p.team}):
            self.team.addItem(team, team)
        self.trainee = named(QComboBox(), "resultsTrainee")
        self.trainee.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_trainees()
        self.team.currentIndexChanged.connect(self._team_changed)
        self.trainee.currentIndexChanged.connect(lambda _: self.reload())
        self.refresh_button = named(QPushButton(tr("刷新（F5）")), "resultsRefresh")
        self.refresh_button.clicked.connect(self.reload)
        self.csv_button = named(QPushButton(tr("导出 CSV(&X)")), "resultsCsv")
        self.csv_button.clicked.connect(self._export)
        self.csv_button.setEnabled(False)
        # F5 as on the lead's workbench; Ctrl+F5 as on the other trainer's pages (where F5 is 预览)
        for refresh in (QKeySequence(QKeySequence.StandardKey.Refresh), QKeySequence("Ctrl+F5")):
            QShortcut(refresh, self, self.reload, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        bar = QHBoxLayout()
        for text, buddy in ((tr("范围(&R)"), self.mode),):
            bar.addWidget(self._label(text, buddy))
            bar.addWidget(buddy)
        bar.addWidget(self.start_edit)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.end_edit)
        bar.addWidget(self.apply_button)
        bar.addSpacing(12)
        for text, buddy in ((tr("班组(&G)"), self.team), (tr("学员(&T)"), self.trainee)):
            bar.addWidget(self._label(text, buddy))
            bar.addWidget(buddy)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.csv_button)

        self.summary = named(QLabel(""), "resultsSummary")
        self.status = named(QLabel(""), "resultsStatus")
        self.status.setWordWrap(True)
        self.status.hide()  # shown only while it has something to say: the tables get the height
        self.status.setStyleSheet("color: #a33;")

        self.trainees = RowsModel([tr("学员"), tr("班组"), tr("练习次数"), tr("平均分"), tr("用时中位数")])
        self.trainee_view = table("resultsTrainees", self.trainees)
        self.trainee_view.doubleClicked.connect(lambda _: self.open_detail())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self.trainee_view, self.open_detail,
                      context=Qt.ShortcutContext.WidgetShortcut)

        self.curve = named(QComboBox(), "resultsCurve")
        self.curve.addItem(tr("主要技能"), ALL_MAIN)
        self.curve.addItem(tr("仅平均分"), AVERAGE_ONLY)
        self.curve.currentIndexChanged.connect(lambda _: self._show_weeks())
        self.weekly = named(WeeklyChart(), "resultsWeekly")
        self.skill_bars = named(SkillBars(), "resultsSkills")
        self.level = named(QComboBox(), "resultsLevel")
        self.level.addItem(tr("三级分类"), 3)
        self.level.addItem(tr("一级分类"), 1)
        self.level.currentIndexChanged.connect(lambda _: self._show_confusions())
        self.confusions = RowsModel([tr("应为"), tr("误选为"), tr("次数")])
        self.confusion_view = table("resultsConfusions", self.confusions, stretch=1)

        weekly_box = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self._label(tr("曲线(&C)"), self.curve))
        row.addWidget(self.curve)
        row.addStretch(1)
        weekly_box.addLayout(row)
        weekly_box.addWidget(self.weekly, 1)
        confusion_box = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self._label(tr("常见混淆(&F)"), self.confusion_view))
        row.addStretch(1)
        row.addWidget(self._label(tr("层级(&L)"), self.level))
        row.addWidget(self.level)
        confusion_box.addLayout(row)
        confusion_box.addWidget(self.confusion_view, 1)
        bottom = QWidget()
        lower = QHBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addLayout(weekly_box, 5)
        lower.addWidget(self.skill_bars, 3)
        lower.addLayout(confusion_box, 4)
        top = QWidget()
        upper = QVBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self._label(tr("学员成绩(&S)（Enter 查看该学员每周成绩）"), self.trainee_view))
        row.addStretch(1)
        row.addWidget(self.summary)
        upper.addLayout(row)
        upper.addWidget(self.trainee_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 1000])  # half and half whatever the charts' size hints: ten trainees' rows at 720
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # --- the range and the filters ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.range is None:
            self._mode_changed(self.mode.currentIndex())

    def set_range(self, start: datetime, end: datetime) -> None:
        """Show [start, end): the range picker says 自定义 with the range's days."""
        start = start if start.tzinfo is not None else start.replace(tzinfo=self.tz)
        end = end if end.tzinfo is not None else end.replace(tzinfo=self.tz)
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(CUSTOM)
        self.mode.blockSignals(False)
        self._enable_custom(True)
        self._use(start, end)

    def _use(self, start: datetime, end: datetime) -> None:
        self.range = (start, end)
        last = (end - timedelta(microseconds=1)).astimezone(self.tz).date()  # the range's last day, inclusive
        for edit, day in ((self.start_edit, start.astimezone(self.tz).date()), (self.end_edit, last)):
            edit.setDate(QDate(day.year, day.month, day.day))
        self.reload()

    def _enable_custom(self, on: bool) -> None:
        for widget in (self.start_edit, self.end_edit, self.apply_button):
            widget.setEnabled(on)

    def _mode_changed(self, mode: int) -> None:
        self._enable_custom(mode == CUSTOM)
        if mode == CUSTOM:
            if self.range is None:
                self._apply_custom()
            return
        self._use(*week_range(datetime.now(self.tz).date(), 1 if mode == THIS_WEEK else 4, self.tz))

    def _apply_custom(self) -> None:
        first, last = self.start_edit.date().toPython(), self.end_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            self._fail(self._asked, None, tr("时间范围不正确：结束日期不能早于开始日期。"))
            return
        self._use(datetime.combine(first, time(0), tzinfo=self.tz),
                  datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.tz))

    def _fill_trainees(self) -> None:
        team = self.team.currentData() or ""
        current = self.trainee.currentData()
        self.trainee.blockSignals(True)
        self.trainee.clear()
        self.trainee.addItem(tr("全部学员"), "")
        for p in self.people:
            if not team or p.team == team:
                self.trainee.addItem(f"{p.name}（{p.id}）", p.id)
        self.trainee.setCurrentIndex(max(self.trainee.findData(current), 0))
        self.trainee.blockSignals(False)

    def _team_changed(self, _: int) -> None:
        self._fill_trainees()
        self.reload()

    def params(self) -> dict[str, str]:
        assert self.range is not None
        params = {"start": self.range[0].isoformat(), "end": self.range[1].isoformat()}
        for key, combo in (("team", self.team), ("trainee", self.trainee)):
            if combo.currentData():
                params[key] = str(combo.currentData())
        return params

    # --- loading -----------------------------------------------------------------------------------------------

    def reload(self) -> None:
        if self.range is None:
            return
        params = self.params()
        self._asked += 1
        asked = self._asked
        self._say(tr("正在加载…"))
        self.tasks.network(lambda: self.api("GET", RESULTS_PATH, params=params),
                           lambda answer: self._show(asked, answer), lambda exc: self._fail(asked, exc))

    def _fail(self, asked: int, exc: BaseException | None, text: str = "") -> None:
        if asked != self._asked:
            return
        message = text or tr("练习成绩加载失败：%1").replace("%1", results_error_text(self, exc or Exception()))
        self._say(message, error=True)
        self.failed.emit(message)

    def _show(self, asked: int, answer: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.answer = answer
        self._say("")
        self.summary.setText(tr("%1 — %2 · 练习 %3 次 · 平均分 %4").replace("%1", answer["from"][:10])
                             .replace("%2", (datetime.fromisoformat(answer["to"]) - timedelta(microseconds=1))
                                      .date().isoformat())
                             .replace("%3", str(answer["attempts"])).replace("%4", score_text(answer["average"])))
        skills = skills_shown(answer)
        headers, cells = trainee_table(answer, skills)
        self.trainees.fill(headers, answer["trainees"], cells)
        self._fill_curves(skills)
        self._show_weeks()
        self.skill_bars.show_skills(answer["skills"], skills)
        self._show_confusions()
        self.csv_button.setEnabled(True)
        self.loaded.emit()

    def _fill_curves(self, skills: list[str]) -> None:
        current = self.curve.currentData()
        self.curve.blockSignals(True)
        while self.curve.count() > 2:
            self.curve.removeItem(2)
        for skill in skills:
            self.curve.addItem(skill_label(skill), skill)
        self.curve.setCurrentIndex(max(self.curve.findData(current), 0))
        self.curve.blockSignals(False)

    def _show_weeks(self) -> None:
        if self.answer is None:
            return
        choice = self.curve.currentData()
        shown = skills_shown(self.answer)
        skills = [s for s in MAIN_SKILLS if s in shown] if choice == ALL_MAIN else \
            [] if choice == AVERAGE_ONLY else [str(choice)]
        self.weekly.show_weeks(self.answer["weeks"], skills)

    def _show_confusions(self) -> None:
        if self.answer is None:
            return
        rows, cells, tips = confusion_rows(self.answer, int(self.level.currentData()))
        self.confusions.fill([tr("应为"), tr("误选为"), tr("次数")], rows, cells, tips)

    # --- a trainee's weeks, the CSV ------------------------------------------------------------------------------

    def open_detail(self) -> TraineeDialog | None:
        index = self.trainee_view.currentIndex()
        if not index.isValid() or self.range is None:
            return None
        params = {"start": self.range[0].isoformat(), "end": self.range[1].isoformat()}
        self.detail = TraineeDialog(api=self.api, tasks=self.tasks, trainee=self.trainees.rows[index.row()],
                                    params=params, tz=self.tz, error_text=lambda e: results_error_text(self, e),
                                    parent=self)
        self.detail.open()
        return self.detail

    def export_csv(self, path: Path) -> None:
        assert self.answer is not None
        with path.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM: spreadsheets read the Chinese
            csv.writer(out).writerows(report_rows(self.answer))

    def _export(self) -> None:
        if self.answer is None:
            return
        name = f"练习成绩_{self.answer['from'][:10]}"
        chosen, _ = QFileDialog.getSaveFileName(self, tr("导出练习成绩"), f"{name}.csv", tr("CSV 文件 (*.csv)"))
        if not chosen:
            return
        try:
            self.export_csv(Path(chosen))
        except OSError as exc:
            self._fail(self._asked, None, tr("导出失败：%1").replace("%1", exc.strerror or type(exc).__name__))
            return
        self._say(tr("已导出：%1").replace("%1", chosen))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #a33;" if error else "color: #555;")
        self.status.setText(text)
        self.status.setVisible(bool(text))

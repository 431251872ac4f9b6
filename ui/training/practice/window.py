"""The practice window (练习模式): a scenario played through the desk's own intake screens (ui/intake/assembly.py),
framed in violet with a banner so it cannot be taken for live work. The caller's lines come from the caller panel;
submit validates exactly as a real case does, then scores the attempt against the key and keeps it in the practice
store (operator_app/practice: 练-… numbers, never the real store, no drafts), and shows the result.

An exam plays its scenarios in order under a countdown each; at zero the attempt is submitted as it stands
(unvalidated) and the next begins; a summary ends it. A trainer's preview plays and scores one scenario and keeps
nothing (`open_preview`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.case_fields import CaseInput, validate_case
from contract.city.model import City
from contract.practice.scenario import Scenario
from contract.practice.scoring import Score, Weights, load_weights, score_attempt
from operator_app.errors import ValidationErrors
from operator_app.paths import resources_dir
from ui.common import shortcuts as keys
from ui.common.errors import show_error
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.intake.assembly import IntakeAssembly
from ui.kb import backend as kb_backend
from ui.training.practice.caller_panel import CallerPanel
from ui.training.practice.result_view import AttemptOutcome, ResultView
from ui.training.practice.timer import PracticeTimer, mmss
from ui.training.practice.voice import Voice

if TYPE_CHECKING:
    from operator_app.practice import Assignment, PracticeStore

log = logging.getLogger(__name__)
Api = Callable[..., Any]
VIOLET = "#6a1b9a"
STYLE = f"""
QFrame#practiceFrame {{ border: 4px solid {VIOLET}; background: #f6effa; }}
QLabel#practiceBanner {{ background: {VIOLET}; color: white; font-size: 16px; font-weight: bold; padding: 4px 10px; }}
QLabel#practiceTimer {{ background: {VIOLET}; color: white; font-size: 16px; font-weight: bold; padding: 4px 10px; }}
QLabel#practiceTitle {{ font-size: 15px; font-weight: bold; color: {VIOLET}; }}
QLabel#resultTotal {{ font-size: 20px; font-weight: bold; color: {VIOLET}; padding: 0 8px; }}
QPushButton#submitButton {{ background: {VIOLET}; color: white; }}
"""
NEXT_LINE = "F6"  # the desk's F6 cites an article; in practice the caller's next line, citing moves to Shift+F6
CITE = "Shift+F6"
SPEAK = "F7"


@dataclass(frozen=True)
class _Played:
    scenario: Scenario
    limit: int
    started_at: datetime


class PracticeWindow(QMainWindow):
    """Plays `scenarios` in order. `pstore` None (or `preview=True`): scores on screen only, keeps and sends nothing.
    `api` (SyncEngine.api): pending attempts are uploaded after each one. Emits `attempt_recorded(PracticeResult)`
    after each kept attempt and `closed` when the window closes."""

    attempt_recorded = Signal(object)
    closed = Signal()

    def __init__(self, *, city: City, data_dir: Path, tasks: TaskManager, scenarios: Sequence[Scenario],
                 trainee_id: str = "", pstore: PracticeStore | None = None, assignment: Assignment | None = None,
                 api: Api | None = None, weights: Weights | None = None, preview: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not scenarios:
            raise ValueError("a practice session needs at least one scenario")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.city, self.data_dir, self.tasks, self.api = city, data_dir, tasks, api
        self.scenarios, self.trainee_id, self.assignment = list(scenarios), trainee_id, assignment
        self.previewing = preview or pstore is None
        self.pstore = None if self.previewing else pstore
        self.weights = weights or load_weights(resources_dir())
        self.exam = assignment is not None and assignment.is_exam
        self.index = -1
        self.played: _Played | None = None
        self.outcomes: list[AttemptOutcome] = []
        self._submitting = False
        what = self.tr("预览") if self.previewing else (assignment.title if assignment else self.tr("自由练习"))
        self.setWindowTitle(self.tr("【练习模式】%1 — 12345 坐席工作台").replace("%1", what))
        self.setStyleSheet(STYLE)

        self.assembly = IntakeAssembly(city, tasks, data_dir, store=None, operator_id=trainee_id, window=self,
                                       practice=True)
        self.form = self.assembly.form
        self.form.submit_button.setText(self.tr("提交练习 (Ctrl+Enter)"))
        self.form.submit_requested.connect(self.submit)
        self.form.clear_button.clicked.connect(self.form.clear)
        self.assembly.message.connect(self.statusBar().showMessage)
        self.assembly.set_suggestions_shown(not (assignment is not None and assignment.suggestions_off))
        self.caller = CallerPanel()
        self.caller.setMinimumWidth(240)
        self.timer = PracticeTimer()
        self.timer.expired.connect(self._time_up)
        self.voice = Voice(self)
        self.caller.line_revealed.connect(self.voice.speak)
        self.speak_toggle = named(QCheckBox(self.tr("朗读 (F7)")), "speakToggle")
        self.speak_toggle.setVisible(self.voice.available)
        self.speak_toggle.toggled.connect(self._speak_toggled)

        banner_text = self.tr("练习模式 · 非真实工单 · 不会派单")
        if self.previewing:
            banner_text += self.tr(" · 预览：不保存")
        elif self.exam:
            banner_text += self.tr(" · 考试")
        self.banner = named(QLabel(banner_text), "practiceBanner")
        self.where = named(QLabel(), "practiceWhere")
        self.where.setStyleSheet(f"background: {VIOLET}; color: white; padding: 4px 10px;")
        top = QHBoxLayout()
        top.setSpacing(0)
        top.addWidget(self.banner, 1)
        top.addWidget(self.where)
        top.addWidget(self.speak_toggle)
        top.addWidget(self.timer)

        self.play = named(QSplitter(), "practicePlay")
        self.play.addWidget(self.caller)
        self.play.addWidget(self.assembly)
        self.play.setStretchFactor(0, 0)
        self.play.setStretchFactor(1, 1)
        self.play.setSizes([260, 1010])
        self.assembly.setSizes([700, 310])
        self.result = ResultView(city)
        self.result.next_requested.connect(self.next_scenario)
        self.result.close_requested.connect(self.close)
        self.result.article_requested.connect(self.assembly.kb.open_article)
        self.summary = ExamSummary()
        self.summary.close_requested.connect(self.close)
        self.stack = QStackedWidget()
        for page in (self.play, self.result, self.summary):
            self.stack.addWidget(page)

        frame = named(QFrame(), "practiceFrame")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(frame)
        self._bind_keys()
        self.resize(1280, min(800, self.screen().availableGeometry().height()))
        self.assembly.kb.start()
        if self.assembly.suggestions_shown:
            self.assembly.routing.preload()
        self.next_scenario()

    @classmethod
    def preview(cls, scenario: Scenario, *, city: City, data_dir: Path, tasks: TaskManager,
                         parent: QWidget | None = None) -> PracticeWindow:
        """A trainer plays `scenario` as a trainee would: scored on screen, nothing saved or sent."""
        return cls(city=city, data_dir=data_dir, tasks=tasks, scenarios=[scenario], preview=True, parent=parent)

    # -- keys ---------------------------------------------------------------------------------------------------
    def _bind_keys(self) -> None:
        a = self.assembly
        bindings: list[tuple[str, Callable[[], object]]] = [
            (keys.SUBMIT, self.submit), ("Ctrl+Enter", self.submit), (NEXT_LINE, self.caller.next_line),
            (CITE, a.kb.cite_selected), (keys.ACCEPT_ROUTING, a.accept_first), (keys.NEW_CASE, self.form.clear),
            (keys.KB_SEARCH, a.kb.search.focus_search), (keys.KB_SUGGESTIONS, a.kb.suggestions.focus_list),
            (keys.JUMP_PHONE, self.form.caller.phone.setFocus), (keys.JUMP_CONTENT, self.form.appeal.content.edit.setFocus),
            (keys.JUMP_CATEGORY, self.form.appeal.category.setFocus), (SPEAK, self._toggle_speech),
        ]
        for n, key in enumerate(keys.ACCEPT_ROUTING_N):
            bindings.append((key, partial(a.accept, n)))
        self.shortcuts: dict[str, QShortcut] = {}
        for key, slot in bindings:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)
            self.shortcuts[key] = shortcut

    def _toggle_speech(self) -> None:
        if self.voice.available:
            self.speak_toggle.toggle()

    def _speak_toggled(self, on: bool) -> None:
        self.voice.enabled = on
        if not on:
            self.voice.stop()

    # -- playing ------------------------------------------------------------------------------------------------
    def limit_for(self, scenario: Scenario) -> int:
        limit = self.assignment.time_limit_seconds if self.assignment else None
        return int(limit) if limit else scenario.time_limit_seconds

    def next_scenario(self) -> None:
        """The next scenario of the session; after the last, an exam shows its summary and an exercise plays the
        last one again."""
        if self.index + 1 < len(self.scenarios):
            self.index += 1
        elif self.exam:
            self._show_summary()
            return
        self._start(self.scenarios[self.index])

    def _start(self, scenario: Scenario) -> None:
        limit = self.limit_for(scenario)
        self.played = _Played(scenario, limit, datetime.now(UTC))
        self.assembly.clear()
        self.stack.setCurrentWidget(self.play)
        self.where.setText(self.tr("第 %1 / %2 题").replace("%1", str(self.index + 1))
                           .replace("%2", str(len(self.scenarios))))
        self.caller.set_scenario(scenario)
        self.timer.start(limit, countdown=self.exam)
        self.form.caller.phone.setFocus()

    def submit(self, *, validate: bool = True) -> None:
        """Validate as a real case (errors at the fields, nothing recorded), then score and keep the attempt."""
        played = self.played
        if self._submitting or played is None or self.stack.currentWidget() is not self.play:
            return
        form = self.form.form_input()
        if validate:
            try:
                validate_case(form, self.city)
            except ValidationErrors as exc:
                self.form.show_errors(exc)
                return
        self.form.show_errors(None)
        seconds = self.timer.stop()
        self.caller.stop()
        self.voice.stop()
        self._submitting = True
        self.form.submit_button.setEnabled(False)
        cited = tuple(article_id for article_id, _version in self.assembly.kb.citations_for(form))
        timed_out = not validate
        if self.pstore is None:
            score = score_attempt(replace(played.scenario, time_limit_seconds=played.limit), form, self.city,
                                  seconds=seconds, weights=self.weights, cited=cited)
            self._scored(played, score, None, cited, timed_out)
            return
        from operator_app.practice import submit_practice

        pstore, city, weights, trainee, shown = self.pstore, self.city, self.weights, self.trainee_id, \
            self.assembly.suggestions_shown
        assignment_id = self.assignment.id if self.assignment else None

        def work() -> Any:
            return submit_practice(pstore, city, played.scenario, form, trainee_id=trainee,
                                   started_at=played.started_at, seconds=seconds, cited=cited,
                                   suggestions_shown=shown, assignment_id=assignment_id, weights=weights,
                                   time_limit_seconds=played.limit, validate=validate)

        def done(result: Any) -> None:
            self.attempt_recorded.emit(result)
            self._scored(played, result.score, result.number, cited, timed_out)
            self._upload()

        self.tasks.write(work, done, lambda exc: self._submit_failed(exc, played))

    def _submit_failed(self, exc: BaseException, played: _Played) -> None:
        self._submitting = False
        self.form.submit_button.setEnabled(True)
        if isinstance(exc, ValidationErrors):
            self.form.show_errors(exc)
        else:
            show_error(self, exc)
        if self.exam:  # the countdown does not stop for a failed save: the next scenario starts
            self.next_scenario()
        else:
            self.timer.start(played.limit, countdown=False)

    def _scored(self, played: _Played, score: Score, number: str | None, cited: tuple[str, ...],
                timed_out: bool) -> None:
        ids = [i for i in (played.scenario.key.kb_article, *cited) if i]
        path = kb_backend.kb_path(self.data_dir)

        def titles() -> dict[str, str]:
            found: dict[str, str] = {}
            for article_id in dict.fromkeys(ids):
                try:
                    article = kb_backend.get_article(path, article_id)
                except Exception:  # noqa: BLE001 - a knowledge base not synced yet only loses the title
                    return found
                if article is not None:
                    found[article_id] = article.title
            return found

        def show(found: dict[str, str]) -> None:
            self._submitting = False
            self.form.submit_button.setEnabled(True)
            outcome = AttemptOutcome(played.scenario, score, number, played.limit, found, timed_out)
            self.outcomes.append(outcome)
            if self.exam:
                self.statusBar().showMessage(self.tr("第 %1 题已提交").replace("%1", str(self.index + 1)), 5000)
                self.next_scenario()
                return
            self.result.show_outcome(outcome, has_next=self.index + 1 < len(self.scenarios))
            self.stack.setCurrentWidget(self.result)
            self.result.table.setFocus()

        if ids:
            self.tasks.read(titles, show, lambda _exc: show({}))
        else:
            show({})

    def _time_up(self) -> None:
        if self.stack.currentWidget() is self.play and not self._submitting:
            self.statusBar().showMessage(self.tr("时间到：已按当前填写的内容提交"), 8000)
            self.submit(validate=False)

    def _upload(self) -> None:
        pstore, api, trainee = self.pstore, self.api, self.trainee_id
        if pstore is None or api is None:
            return
        from operator_app.practice import upload_pending

        def done(report: Any) -> None:
            if getattr(report, "error", None):
                self.statusBar().showMessage(report.error, 8000)

        self.tasks.network(lambda: upload_pending(pstore, api, trainee_id=trainee), done,
                           lambda exc: log.warning("practice upload failed: %s", type(exc).__name__))

    def _show_summary(self) -> None:
        self.timer.stop()
        self.summary.show_outcomes(self.outcomes)
        self.where.setText(self.tr("考试结束"))
        self.stack.setCurrentWidget(self.summary)
        self.summary.table.setFocus()

    def current_form(self) -> CaseInput:
        return self.form.form_input()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.caller.stop()
        self.voice.stop()
        self.closed.emit()
        super().closeEvent(event)


class ExamSummary(QWidget):
    """The end of an exam: each scenario's total, time and the skills it missed; Enter or Esc closes."""

    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "examSummary")
        self.heading = named(QLabel(), "resultTotal")
        self.table = named(QTableWidget(0, 4), "examSummaryTable")
        self.table.setHorizontalHeaderLabels([self.tr("场景"), self.tr("得分"), self.tr("用时"), self.tr("错在")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        close = QPushButton(self.tr("关闭 (Enter / Esc)"))
        close.setAutoDefault(False)
        close.clicked.connect(self.close_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)

    def show_outcomes(self, outcomes: Sequence[AttemptOutcome]) -> None:
        average = sum(o.score.total for o in outcomes) / len(outcomes) if outcomes else 0.0
        self.heading.setText(self.tr("考试结束：%1 题，平均 %2 分").replace("%1", str(len(outcomes)))
                             .replace("%2", f"{average:.1f}"))
        self.table.setRowCount(len(outcomes))
        for row, o in enumerate(outcomes):
            missed = "、".join(f.label for f in o.score.fields if not f.right) or self.tr("全对")
            timed = self.tr("（时间到）") if o.timed_out else ""
            cells = [o.scenario.title, f"{o.score.total:g}", mmss(o.score.seconds) + timed, missed]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.close_requested.emit()
            return
        super().keyPressEvent(event)


def open_preview(scenario: Scenario, *, city: City, data_dir: Path, tasks: TaskManager,
                 parent: QWidget | None = None) -> PracticeWindow:
    """Open a trainer's preview of `scenario` (shown, not modal): it plays and scores as a trainee's attempt would,
    builds its own intake screens, and saves and sends nothing."""
    window = PracticeWindow.preview(scenario, city=city, data_dir=data_dir, tasks=tasks, parent=parent)
    window.show()
    return window

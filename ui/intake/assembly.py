"""The intake screen as one piece: the case form, and beside it the routing suggestions and the knowledge base's
search and suggestion panels, with the wiring between them (typing asks for suggestions, taking one fills the form).
The desk's 工单受理 workspace and the practice window (ui/training/practice/) both build this, so a trainee works in
exactly the operator's screens."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from contract.city.model import City
from operator_app.store.database import Store
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.intake.category_picker import display_path
from ui.intake.form import CaseForm
from ui.intake.semantic_bridge import SemanticBridge
from ui.kb.assist import KnowledgeAssist
from ui.routing.panel import RoutingPanel
from ui.routing.take import take_category

if TYPE_CHECKING:
    from operator_app.routing.suggest import Suggestion


class FitWrappedText(QObject):
    """Keeps a widget's minimum height at what its word-wrapped contents need at its current width."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            need = watched.heightForWidth(watched.width())
            if need > 0 and need != watched.minimumHeight():
                watched.setMinimumHeight(need)
        return False


class IntakeAssembly(QSplitter):
    """Emits `message(text, ms)` for the status bar and `taking_suggestion` just before a suggestion fills the form
    (the desk brings its intake tab forward then). `practice=True`: the knowledge base writes nothing (no feedback),
    `store` may then be None. `swap_when_narrow`: narrower than form and column need, one of them shows at a time
    (the desk on a 1024 screen; the practice window shares its width out itself)."""

    message = Signal(str, int)
    taking_suggestion = Signal()

    def __init__(self, city: City, tasks: TaskManager, data_dir: Path, *, store: Store | None, operator_id: str,
                 window: QWidget, practice: bool = False, swap_when_narrow: bool = False) -> None:
        super().__init__()
        named(self, "intakeSplitter")
        self.city = city
        self.form = CaseForm(city)
        self.routing = RoutingPanel(city, tasks, data_dir)
        self.routing.accept_requested.connect(self.apply_suggestion)
        self.routing.model_swapped.connect(lambda version: self.message.emit(
            self.tr("派单建议已更新为中心下发的新版本（模型 %1）").replace("%1", version[:8]), 10000))
        self.form.edited.connect(self.routing_inputs_changed)
        # The sentence encoder: loaded on its own thread once the form is on screen (KnowledgeAssist starts it);
        # its query vectors rank the search, its case vectors the suggestions (and the routing panel's leaves).
        self.semantic = SemanticBridge(self)
        self.semantic.case_vector.connect(self.routing.case_vector_ready)
        self.kb = KnowledgeAssist(form=self.form, tasks=tasks, store=store, data_dir=data_dir,
                                  operator_id=operator_id, window=window, practice=practice, semantic=self.semantic)
        self.form.edited.connect(self.kb.content_changed)
        self.kb.message.connect(lambda text: self.message.emit(text, 8000))
        self.addWidget(self.form)
        assist = self.assist = named(QSplitter(Qt.Orientation.Vertical), "assistSplitter")
        assist.setContentsMargins(0, 4, 4, 4)
        for panel in (self.routing, self.kb.search, self.kb.suggestions):
            assist.addWidget(panel)
            assist.setCollapsible(assist.indexOf(panel), False)
        assist.setStretchFactor(0, 0)
        assist.setStretchFactor(1, 3)
        assist.setStretchFactor(2, 1)
        # Its rows' reasons wrap; a splitter sizes by minimum heights and never asks for the wrapped height, so
        # the panel's minimum follows its text: its rows never overlap however short the column.
        self.routing.installEventFilter(FitWrappedText(self.routing))
        assist.setSizes([270, 290, 140])
        column = self.column = named(QScrollArea(), "assistColumn")  # on a screen shorter than the column's
        column.setWidgetResizable(True)  # minimum it scrolls, as the form does, instead of forcing a taller window
        column.setFrameShape(QFrame.Shape.NoFrame)
        column.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        self.back_button = named(QPushButton(self.tr("◂ 返回工单 (Esc)")), "backToForm")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.show_form)
        holder_layout.addWidget(self.back_button)
        holder_layout.addWidget(assist, 1)
        column.setWidget(holder)
        self.addWidget(column)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([860, 420])
        # Narrower than form and column need (a 1024-pixel screen): one of them at a time, the form first; Ctrl+K
        # and the buttons swap them, and F4 / Alt+1..3 take a suggestion with the column out of sight.
        self.narrow = False
        self.swap_when_narrow = swap_when_narrow
        self.assist_button = named(QPushButton(self.tr("派单建议与知识库 (Ctrl+K)")), "showAssist")
        self.assist_button.setAutoDefault(False)
        self.assist_button.clicked.connect(self.show_assist)
        form_layout = self.form.layout()
        last = form_layout.itemAt(form_layout.count() - 1) if form_layout is not None else None
        form_buttons = last.layout() if last is not None else None
        if isinstance(form_buttons, QHBoxLayout):  # beside 清空 and 提交 (ui/intake/form.py)
            form_buttons.insertWidget(1, self.assist_button)
        self._back = QShortcut(QKeySequence(Qt.Key.Key_Escape), column, self._escape)
        self._back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.taking_suggestion.connect(self.show_form)
        self._set_narrow(False)

    def _need_width(self) -> int:
        """The width at which the form does not scroll sideways beside the column at its minimum."""
        area = self.form.findChild(QScrollArea)
        inner = area.widget() if area is not None else None
        form = (inner.minimumSizeHint().width() + 2 * area.frameWidth() + 10
                + area.verticalScrollBar().sizeHint().width()) if area and inner else self.form.sizeHint().width()
        return form + self.assist.minimumSizeHint().width() + 4 + self.handleWidth()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        narrow = self.swap_when_narrow and self.width() < self._need_width()
        if narrow != self.narrow:
            self._set_narrow(narrow)

    def _set_narrow(self, narrow: bool) -> None:
        self.narrow = narrow
        self.assist_button.setVisible(narrow)
        self.back_button.setVisible(narrow)
        self._back.setEnabled(narrow)  # only then: a wide desk's Esc keeps its meanings in the column
        self.form.setVisible(True)
        self.column.setVisible(not narrow)
        if not narrow:
            self.setSizes([860, 420])

    def show_assist(self) -> None:
        """On a narrow screen, the column in place of the form (Ctrl+K, Ctrl+Shift+K, the form's button)."""
        if self.narrow:
            self.form.hide()
            self.column.show()
            if self.sender() is self.assist_button:
                self.kb.search.focus_search()

    def note_same_issue(self, shown: bool) -> None:
        """可能是同一诉求 has candidates (or no longer): on a narrow desk the form's button says so, the panel being
        out of sight (Alt+L links from the form too)."""
        text = self.tr("派单建议与知识库 (Ctrl+K)")
        if shown:
            text += self.tr(" · 有可能是同一诉求的工单 (Alt+L)")
        self.assist_button.setText(text)
        self.assist_button.setStyleSheet("QPushButton { color: #e65100; font-weight: bold; }" if shown else "")

    def _escape(self) -> None:
        """Esc in the column: the search box clears its text first (as on a wide desk), then the form comes back."""
        box = self.kb.search.search
        if box.hasFocus() and box.text():
            box.clear()
        else:
            self.show_form()

    def show_form(self) -> None:
        if self.narrow and self.form.isHidden():
            self.column.hide()
            self.form.show()
            self.form.appeal.content.edit.setFocus()

    @property
    def suggestions_shown(self) -> bool:
        return not self.routing.isHidden()

    def set_suggestions_shown(self, shown: bool) -> None:
        """An exam with suggestions off: the routing panel is not there at all (F4 / Alt+n take nothing)."""
        self.routing.setVisible(shown)

    def routing_inputs_changed(self) -> None:
        if self.routing.isHidden():
            return
        values = self.form.appeal.values()
        district = self.city.districts.get(values["district"])
        address = " ".join(x for x in ((district.name if district else ""), values["street"], values["address"]) if x)
        self.routing.request(content=values["content"], address=address)

    def accept_first(self) -> None:
        if not self.routing.isHidden():
            self.routing.accept_first()

    def accept(self, index: int) -> None:
        if not self.routing.isHidden():
            self.routing.accept(index)

    def apply_suggestion(self, suggestion: Suggestion) -> None:
        """Take the suggestion: dispatch to its lead (and cooperating) units, its district, its category (a leaf
        the operator chose in another branch stays, and then nothing is taken: ui/routing/take.py)."""
        if self.routing.isHidden():
            return
        form, city = self.form, self.city
        take = take_category(form.appeal.category.path(), suggestion.category, city.categories.leaves)
        if take.conflict:
            self.message.emit(
                self.tr("已选分类“%1”与建议“%2”不同，未采纳；如需改用建议，请先清空问题分类")
                .replace("%1", form.appeal.category.text()).replace("%2", suggestion.category), 8000)
            return
        form.disposition.buttons["dispatch"].setChecked(True)
        lead = city.departments.get(suggestion.lead_department_id or "")
        if lead is not None:
            form.disposition.lead.setCurrentText(lead.name)
        form.disposition.set_cooperating(suggestion.cooperating_ids)
        if suggestion.district_id and not form.appeal.district.currentData():
            form.appeal.set_district(suggestion.district_id)
        self.taking_suggestion.emit()
        if take.path is not None:
            form.appeal.category.set_path(take.path + ("/" if take.pick_leaf else ""))
            if take.pick_leaf:  # the operator picks the leaf from the branch's list
                form.appeal.category.setFocus()
                form.appeal.category.completer().setCompletionPrefix(display_path(take.path))
                form.appeal.category.completer().complete()
        form.edited.emit()
        self.message.emit(self.tr("已采纳派单建议：%1").replace("%1", suggestion.category), 5000)

    def clear(self) -> None:
        """An empty form for the next call: no citations, suggestions or previous search."""
        self.form.clear()
        self.kb.clear()
        self.routing.reset()

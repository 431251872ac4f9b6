"""派单建议: top-3 categories with lead department, district, confidence bar and the words that drove them.

Updated as the content and address change (debounced, computed on the read pool); F4 accepts the first one,
Alt+1..3 or a click the one the operator means. When the desk's sentence encoder sends the case content's vector
(`case_vector_ready`, from ui/intake/semantic_bridge.py), the rows become the three leaf categories nearest its
meaning inside the predicted branch (城乡建设 › 物业管理 › 物业收费), taken the same way, and the other top-level
categories stay one click away in a line below; with no encoder no vector ever comes and the panel is as before.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from contract.city.model import City
from operator_app.routing.record import RoutingSnapshot
from ui.common.named import named
from ui.common.tasks import TaskManager

if TYPE_CHECKING:
    from operator_app.routing.assistant import RoutingAssistant
    from operator_app.routing.suggest import Suggestion

log = logging.getLogger(__name__)
DEBOUNCE_MS = 300
LOW_CONFIDENCE = 0.6
PATH_SEP = " › "


class SuggestionRow(QWidget):
    """One suggestion; a click anywhere on it emits `clicked` (its labels and bar take no clicks themselves)."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = named(QLabel(), "suggestionTitle")
        self.plain = ""  # the title as plain text (it is rich text when it shows a leaf's path)
        self.title.setWordWrap(True)
        self.bar = named(QProgressBar(), "confidence")
        self.bar.setRange(0, 100)
        self.bar.setMaximumHeight(14)
        self.why = named(QLabel(), "suggestionWhy")
        self.why.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(2)
        for w in (self.title, self.bar, self.why):
            layout.addWidget(w)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class RoutingPanel(QGroupBox):
    """Emits `accept_requested(Suggestion)` when the operator takes a suggestion."""

    accept_requested = Signal(object)
    load_finished = Signal()  # the model's load ended, loaded or failed
    model_swapped = Signal(str)  # a release sync received is in use now (its model version)

    def __init__(self, city: City, tasks: TaskManager, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setTitle(self.tr("派单建议（F4 采纳第一条，Alt+1/2/3 或点击采纳该条）"))
        self.city, self.tasks, self.data_dir = city, tasks, data_dir
        self.snapshot: RoutingSnapshot | None = None
        self._assistant: RoutingAssistant | None = None
        self._loading = False
        self._generation = 0
        self._pending: tuple[str, str] | None = None
        self._base: RoutingSnapshot | None = None  # the top-level suggestions shown, before any leaves
        self._shown_inputs: tuple[str, str] | None = None  # the (content, address) they were made from
        self._vector: tuple[str, object] | None = None  # the latest case vector and the content it was made from
        self._known_leaves = frozenset(city.categories.leaves)
        self.hint = named(QLabel(self.tr("输入诉求内容后，这里给出分类、主办单位和区县建议")), "routingHint")
        self.hint.setWordWrap(True)
        self.rows = [SuggestionRow() for _ in range(3)]
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        for n, row in enumerate(self.rows):
            row.hide()
            row.clicked.connect(lambda n=n: self.accept(n))
            layout.addWidget(row)
        self.others = named(QLabel(), "routingOthers")  # with leaves shown: the other top levels, by click
        self.others.setWordWrap(True)
        self.others.setTextFormat(Qt.TextFormat.RichText)
        self.others.linkActivated.connect(lambda index: self.accept_top(int(index)))
        self.others.hide()
        layout.addWidget(self.others)
        layout.addStretch(1)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run)

    def request(self, *, content: str, address: str) -> None:
        """The form changed: recompute after a short pause in typing."""
        self._pending = (content, address)
        self._debounce.start()

    @property
    def loaded(self) -> bool:
        return self._assistant is not None

    @property
    def model_version(self) -> str | None:
        return self._assistant.model.version if self._assistant is not None else None

    def preload(self) -> None:
        """Load the model on a worker now, while the operator is idle (its vocabulary's json.loads holds the
        interpreter lock for 30-40 ms): the first suggestion then needs no load."""
        if self._assistant is None and not self._loading:
            self._loading = True
            data_dir = self.data_dir
            self.tasks.read(lambda: _load_assistant(data_dir), self._loaded, self._failed)

    def model_received(self, _release: str) -> None:
        """Sync installed a new routing release (model and maybe directory): load it (checked again on load) and
        use it from the next suggestion on."""
        data_dir = self.data_dir
        self.tasks.read(lambda: _load_assistant(data_dir), self._swapped, self._swap_failed)

    def _swapped(self, assistant: RoutingAssistant) -> None:
        self._assistant = assistant  # a first load still under way may have read the release before; it yields
        self.model_swapped.emit(assistant.model.version)
        self._run()

    def _swap_failed(self, exc: BaseException) -> None:
        log.warning("the new routing model could not be loaded; the one in use stays: %s", exc)

    def _run(self) -> None:
        if self._pending is None:
            return
        if self._assistant is None:
            self.preload()
            return
        content, address = self._pending
        self._generation += 1
        gen, assistant = self._generation, self._assistant
        self.tasks.read(lambda: assistant.suggest(content=content, address=address),
                        lambda snap: self._show(gen, snap, (content, address)), self._failed)

    def _loaded(self, assistant: RoutingAssistant) -> None:
        if self._assistant is None:  # else a release sync received was loaded meanwhile, and is newer
            self._assistant = assistant
        self._loading = False
        self.load_finished.emit()
        self._run()

    def _failed(self, exc: BaseException) -> None:
        if self._loading:
            self._loading = False
            self.load_finished.emit()
        self.hint.setText(self.tr("派单建议暂不可用：%1").replace("%1", str(exc)))
        self.hint.show()

    def _show(self, gen: int, snapshot: RoutingSnapshot, inputs: tuple[str, str] | None = None) -> None:
        if gen != self._generation:
            return  # an older request answered late
        self._base = snapshot if snapshot.suggestions else None
        self._shown_inputs = inputs
        self._render()

    def case_vector_ready(self, text: str, vector: object) -> None:
        """The sentence vector of the case content `text` (SemanticBridge.case_vector): rank the leaves with it."""
        self._vector = (text, vector)
        if self._base is not None:
            self._render()

    def _with_leaves(self, base: RoutingSnapshot) -> RoutingSnapshot:
        """The leaves, when a vector fits the content shown: made from it, or from the text it grew from or was
        cut back to while typing (the meaning barely moves; the exact vector follows and re-ranks)."""
        if self._vector is None or self._shown_inputs is None or self._assistant is None:
            return base
        from semantic.texts import case_passage  # the assistant is loaded: semantic/ and numpy are in already

        text, vector = self._vector
        content, address = self._shown_inputs
        made_from, shown = case_passage(text), case_passage(content)
        if not made_from or not (shown.startswith(made_from) or made_from.startswith(shown)):
            return base
        try:
            return self._assistant.with_leaves(base, vector, content=content, address=address,  # type: ignore[arg-type]
                                               known=self._known_leaves)
        except (ValueError, TypeError, AttributeError) as exc:  # not a vector of this shape: the top level stands
            log.warning("routing leaves not ranked: %s", exc)
            return base

    def _render(self) -> None:
        base = self._base
        if base is None:
            self.snapshot = None
            self.hint.setText(self.tr("内容不足，暂无建议：请继续记录诉求内容"))
            self._set_low(False)
            self.hint.show()
            self.others.hide()
            for row in self.rows:
                row.hide()
            return
        snapshot = self.snapshot = self._with_leaves(base)
        first = snapshot.suggestions[0]
        low = first.confidence < LOW_CONFIDENCE
        self._set_low(low)
        if low:
            self.hint.setText(self.tr("置信度低，请仔细核对分类和承办单位"))
            self.hint.show()
        else:
            self.hint.hide()
        shown = snapshot.leaves or snapshot.suggestions
        branches_seen: set[str] = set()
        for row, suggestion in zip(self.rows, (*shown, None, None, None), strict=False):
            if suggestion is None:
                row.hide()
                continue
            top = suggestion.category.split("/", 1)[0]
            self._fill(row, suggestion, leaf=bool(snapshot.leaves), detail=top not in branches_seen)
            branches_seen.add(top)
            row.show()
        self._fill_others(snapshot, branches_seen)

    def _fill(self, row: SuggestionRow, s: Suggestion, *, leaf: bool = False, detail: bool = True) -> None:
        """One row: category (a leaf by its whole path) → lead (helpers) · district; the bar and the reasons once
        per branch (a second leaf of the same branch is one line)."""
        lead = self.city.departments.get(s.lead_department_id or "")
        lead_name = lead.name if lead else self.tr("（请手动选择主办单位）")
        helpers = "、".join(self.city.departments[c].name for c in s.cooperating_ids if c in self.city.departments)
        district = self.city.districts.get(s.district_id or "")
        tail = f" → {lead_name}"
        if helpers:
            tail += self.tr("（协办：%1）").replace("%1", helpers)
        if district:
            tail += f" · {district.name}"
        number = f"{self.rows.index(row) + 1}. "
        row.plain = number + s.category.replace("/", PATH_SEP) + tail
        if leaf:  # the branch in grey, the leaf that tells the rows apart in bold: three paths read at a glance
            branch, name = s.category.rsplit("/", 1)
            row.title.setTextFormat(Qt.TextFormat.RichText)
            row.title.setText(f'{escape(number)}<span style="color:#757575; font-weight:normal">'
                              f"{escape(branch.replace('/', PATH_SEP) + PATH_SEP)}</span>{escape(name + tail)}")
        else:
            row.title.setTextFormat(Qt.TextFormat.PlainText)
            row.title.setText(row.plain)
        percent = int(round(s.confidence * 100))
        row.bar.setValue(percent)
        row.bar.setFormat(self.tr("%1 置信度 %2%").replace("%1", s.category.split("/", 1)[0]).replace("%2", str(percent))
                          if leaf else self.tr("置信度 %1%").replace("%1", str(percent)))
        row.bar.setProperty("low", s.confidence < LOW_CONFIDENCE)
        row.bar.style().unpolish(row.bar)
        row.bar.style().polish(row.bar)
        row.why.setText("；".join(text for text in (_readable(r) for r in s.reasons) if text))
        row.bar.setVisible(detail)
        row.why.setVisible(detail and bool(row.why.text()))

    def _fill_others(self, snapshot: RoutingSnapshot, shown: set[str]) -> None:
        """With leaves shown: the top levels they do not cover, each a link that takes it as today."""
        others = [(n, s) for n, s in enumerate(snapshot.suggestions) if snapshot.leaves and s.category not in shown]
        if not others:
            self.others.hide()
            return
        links = " · ".join(f'<a href="{n}">{s.category} {int(round(s.confidence * 100))}%</a>' for n, s in others)
        self.others.setText(self.tr("其他一级分类：%1").replace("%1", links))
        self.others.show()

    def accept_first(self) -> None:
        self.accept(0)

    def accept(self, index: int) -> None:
        """Take the suggestion shown at row `index` (0 is the first; a leaf when leaves are shown), if there is one."""
        if self.snapshot is not None:
            shown = self.snapshot.leaves or self.snapshot.suggestions
            if index < len(shown):
                self.accept_requested.emit(shown[index])

    def accept_top(self, index: int) -> None:
        """Take the model's top-level suggestion `index` (the line under the leaves)."""
        if self.snapshot is not None and 0 <= index < len(self.snapshot.suggestions):
            self.accept_requested.emit(self.snapshot.suggestions[index])

    def _set_low(self, low: bool) -> None:
        """The hint in red (low confidence) or neutral."""
        if bool(self.hint.property("low")) != low:
            self.hint.setProperty("low", low)
            self.hint.style().unpolish(self.hint)
            self.hint.style().polish(self.hint)

    def reset(self) -> None:
        """A new case: no suggestion, the neutral hint."""
        self._generation += 1
        self.snapshot = self._base = self._shown_inputs = self._vector = None
        self._pending = None
        self._debounce.stop()
        self.others.hide()
        self._set_low(False)
        self.hint.setText(self.tr("输入诉求内容后，这里给出分类、主办单位和区县建议"))
        self.hint.show()
        for row in self.rows:
            row.hide()


def _load_assistant(data_dir: Path | None) -> RoutingAssistant:
    """Imported and loaded on a worker (numpy, ≈0.3 s): the model sync received, else the shipped one."""
    from operator_app.routing.assistant import RoutingAssistant

    return RoutingAssistant.load(data_dir=data_dir)


def _readable(reason: str) -> str:
    """Keep the keywords an operator can read: words of two or more characters, no punctuation fragments."""
    prefix = "关键词："
    if not reason.startswith(prefix):
        return reason
    words = [w for w in reason[len(prefix):].split("、") if len(w) >= 2 and all(ch.isalnum() for ch in w)]
    return prefix + "、".join(words) if words else ""

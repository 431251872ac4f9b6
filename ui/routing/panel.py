"""派单建议: top-3 categories with lead department, district, confidence bar and the words that drove them.

Updated as the content and address change (debounced, computed on the read pool); F4 accepts the first one,
Alt+1..3 or a click the one the operator means.
"""

from __future__ import annotations

import logging
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


class SuggestionRow(QWidget):
    """One suggestion; a click anywhere on it emits `clicked` (its labels and bar take no clicks themselves)."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = named(QLabel(), "suggestionTitle")
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
        self.hint = named(QLabel(self.tr("输入诉求内容后，这里给出分类、主办单位和区县建议")), "routingHint")
        self.hint.setWordWrap(True)
        self.rows = [SuggestionRow() for _ in range(3)]
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        for n, row in enumerate(self.rows):
            row.hide()
            row.clicked.connect(lambda n=n: self.accept(n))
            layout.addWidget(row)
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
                        lambda snap: self._show(gen, snap), self._failed)

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

    def _show(self, gen: int, snapshot: RoutingSnapshot) -> None:
        if gen != self._generation:
            return  # an older request answered late
        self.snapshot = snapshot if snapshot.suggestions else None
        if not snapshot.suggestions:
            self.hint.setText(self.tr("内容不足，暂无建议：请继续记录诉求内容"))
            self._set_low(False)
            self.hint.show()
            for row in self.rows:
                row.hide()
            return
        first = snapshot.suggestions[0]
        low = first.confidence < LOW_CONFIDENCE
        self._set_low(low)
        if low:
            self.hint.setText(self.tr("置信度低，请仔细核对分类和承办单位"))
            self.hint.show()
        else:
            self.hint.hide()
        for row, suggestion in zip(self.rows, (*snapshot.suggestions, None, None, None), strict=False):
            if suggestion is None:
                row.hide()
                continue
            self._fill(row, suggestion)
            row.show()

    def _fill(self, row: SuggestionRow, s: Suggestion) -> None:
        lead = self.city.departments.get(s.lead_department_id or "")
        lead_name = lead.name if lead else self.tr("（请手动选择主办单位）")
        helpers = "、".join(self.city.departments[c].name for c in s.cooperating_ids if c in self.city.departments)
        district = self.city.districts.get(s.district_id or "")
        text = f"{s.category} → {lead_name}"
        if helpers:
            text += self.tr("（协办：%1）").replace("%1", helpers)
        if district:
            text += f" · {district.name}"
        row.title.setText(f"{self.rows.index(row) + 1}. {text}")
        percent = int(round(s.confidence * 100))
        row.bar.setValue(percent)
        row.bar.setFormat(self.tr("置信度 %1%").replace("%1", str(percent)))
        row.bar.setProperty("low", s.confidence < LOW_CONFIDENCE)
        row.bar.style().unpolish(row.bar)
        row.bar.style().polish(row.bar)
        row.why.setText("；".join(text for text in (_readable(r) for r in s.reasons) if text))

    def accept_first(self) -> None:
        self.accept(0)

    def accept(self, index: int) -> None:
        """Take the suggestion shown at `index` (0 is the first), if there is one."""
        if self.snapshot is not None and index < len(self.snapshot.suggestions):
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
        self.snapshot = None
        self._pending = None
        self._debounce.stop()
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

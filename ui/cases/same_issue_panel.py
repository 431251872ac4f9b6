"""可能是同一诉求: while the operator types, the open cases of the last 30 days that look like the same issue (asked
of the central server on the sync thread; the seat's own cases when the server cannot be asked). Hidden while
there is none, so it costs the intake screen no room then."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from operator_app.services.same_issue_local import local_same_issue
from operator_app.store.database import Store
from ui.cases.same_issue_text import candidate_line, candidate_tip
from ui.common.named import named
from ui.common.tasks import TaskManager

DEBOUNCE_MS = 600
MIN_CONTENT = 6  # characters of content before the place and content are worth comparing
# The server reads the first sentence (place) and the first 120 characters (content, resources/lead/hotspots.toml):
# the rest of a long content would only lengthen every request's URL.
CONTENT_SENT = 300
ROWS_SHOWN = 3


class SameIssuePanel(QFrame):
    """`link_requested(candidate)`: the operator chose a candidate (double click, Enter, Alt+L on the desk).
    One line per candidate, elided to the column's width; the tooltip has the rest."""

    link_requested = Signal(object)
    shown_changed = Signal(bool)

    def __init__(self, *, store: Store, tasks: TaskManager, api: Callable[[], Any], tz: ZoneInfo) -> None:
        """`api()` gives the sync engine's api callable, or None while there is none (offline, not set up)."""
        super().__init__()
        named(self, "sameIssuePanel")
        self.store, self.tasks, self._api, self.tz = store, tasks, api, tz
        self.candidates: list[dict[str, Any]] = []
        self.offline = False
        self._asked: tuple[str, str, str, str] | None = None
        self._generation = 0
        self.title = named(QLabel(), "sameIssueTitle")
        # It asks the operator to look before dispatching again: set apart from the suggestions below it.
        self.setStyleSheet("QFrame#sameIssuePanel { background: #fff8e1; border: 1px solid #ffca28; }"
                           "QLabel#sameIssueTitle { font-weight: bold; color: #e65100; border: none; }")
        self.list = named(QListWidget(), "sameIssueList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(lambda _item: self.request_link())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 2)
        layout.setSpacing(2)
        for widget in (self.title, self.list):
            layout.addWidget(widget)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._ask)
        self._pending: tuple[str, str, str, str] = ("", "", "", "")
        self.setVisible(False)

    def inputs_changed(self, phone: str, content: str, district: str, address: str) -> None:
        """Debounced: the question goes out once typing pauses."""
        self._pending = (phone.strip(), content.strip()[:CONTENT_SENT], district, address.strip())
        self._timer.start()

    def clear(self) -> None:
        self._timer.stop()
        self._generation += 1
        self._asked = None
        self._show([], offline=False)

    def selected(self) -> dict[str, Any] | None:
        row = self.list.currentRow()
        if 0 <= row < len(self.candidates):
            return self.candidates[row]
        return self.candidates[0] if self.candidates else None

    def request_link(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.link_requested.emit(chosen)

    def _ask(self) -> None:
        phone, content, district, address = self._pending
        if len(content) < MIN_CONTENT:
            content = ""
        if not phone and not content:
            self.clear()
            return
        if self._asked == (phone, content, district, address):
            return
        self._asked = (phone, content, district, address)
        self._generation += 1
        generation = self._generation
        api = self._api()
        params = {"phone": phone, "content": content, "district": district, "address": address}

        def local() -> None:
            self.tasks.read(lambda: [asdict(c) for c in local_same_issue(self.store, phone=phone, content=content)],
                            lambda found: self._answer(generation, found, offline=True))

        if api is None:
            local()
            return
        self.tasks.network(lambda: api("GET", "/api/v1/cases/same-issue", params=params),
                           lambda found: self._answer(generation, found, offline=False),
                           lambda _exc: local() if generation == self._generation else None)

    def _answer(self, generation: int, found: list[dict[str, Any]], *, offline: bool) -> None:
        if generation == self._generation:
            self._show(list(found), offline=offline)

    def _show(self, found: list[dict[str, Any]], *, offline: bool) -> None:
        self.candidates, self.offline = found, offline
        self.list.clear()
        for candidate in found:
            item = QListWidgetItem(candidate_line(candidate))
            item.setToolTip(candidate_tip(candidate, self.tz))
            self.list.addItem(item)
        if found:
            self.list.setCurrentRow(0)
        self.title.setText(self.tr("可能是同一诉求（%1 件%2）— 双击或 Alt+L 关联，不新建工单")
                           .replace("%1", str(len(found)))
                           .replace("%2", self.tr("，仅本席位，中心暂不可用") if offline else ""))
        rows = min(len(found), ROWS_SHOWN)
        row_height = self.list.sizeHintForRow(0) if found else 0
        self.list.setFixedHeight(rows * row_height + 2 * self.list.frameWidth() if rows else 0)
        visible = bool(found)
        if visible == self.isHidden():
            self.setVisible(visible)
            self.shown_changed.emit(visible)

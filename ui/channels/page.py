"""网络渠道 (Ctrl+7): the one queue of citizens' messages from WeChat, the app and the website, special needs first,
then oldest. Enter claims the selected message on the central server and opens it in the case form (content,
contact and channel filled): the operator submits it as any case and the server gives the channel its number.
F9/F10/F11 (menu actions of the desk: ui/channels/slot.py) close it as handed off to 110/119/120. Without the centre nothing can be claimed, and the page says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.channel_intake import HANDOFF_TARGETS
from ui.channels.queue_text import COLUMNS, OFFLINE, is_offline, refusal_text, row_cells
from ui.common import shortcuts as keys
from ui.common.named import named
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager

Api = Callable[..., Any]
REFRESH_MS = 15_000
HANDOFF_KEYS = dict(zip(HANDOFF_TARGETS, keys.CHANNEL_HANDOFF, strict=True))
NEEDS_COLUMN, TEXT_COLUMN = 2, 3


class ChannelQueuePage(QWidget):
    """`claimed(message)`: the server's answer to a claim (the whole message), for the desk to open in the form."""

    claimed = Signal(dict)

    def __init__(self, *, api: Api, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks = api, tasks
        self.items: list[dict[str, Any]] = []
        self.online = False
        self.busy = False
        self.notice = ""  # what became of the operator's last action, above the count
        # Asked before a claim: None when the desk can take a message now, else why not (ui/channels/slot.py).
        self.claim_blocker: Callable[[], str | None] = lambda: None
        self._ticket = 0
        self.status = named(QLabel(self.tr("正在读取网络渠道留言…")), "channelStatus")
        self.status.setWordWrap(True)
        self.table = named(read_only_table([self.tr(c) for c in COLUMNS], stretch=TEXT_COLUMN, wrap=False),
                           "channelQueue")
        self.table.activated.connect(lambda _index: self.claim_selected())
        self.claim_button = named(QPushButton(self.tr("领取并受理 (Enter)")), "channelClaim")
        self.claim_button.clicked.connect(self.claim_selected)
        self.release_button = named(QPushButton(self.tr("放回队列")), "channelRelease")
        self.release_button.clicked.connect(self.release_selected)
        self.handoff_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        buttons.addWidget(self.claim_button)
        for target, words in HANDOFF_TARGETS.items():
            key = HANDOFF_KEYS[target]
            button = named(QPushButton(self.tr("转 %1 (%2)").replace("%1", words).replace("%2", key)),
                           f"channelHandoff{target}")
            button.clicked.connect(lambda _checked=False, t=target: self.hand_off_selected(t))
            self.handoff_buttons[target] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.release_button)
        refresh = QPushButton(self.tr("刷新"))
        refresh.clicked.connect(self.refresh)
        buttons.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._set_enabled()
        self.refresh()

    # --- loading -------------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh()
        self.table.setFocus()

    def _tick(self) -> None:
        if self.isVisible() and not self.busy:
            self.refresh()

    def refresh(self) -> None:
        api = self.api
        self._ticket += 1
        ticket = self._ticket
        self.tasks.network(lambda: api("GET", "/api/v1/intake/queue"),
                           lambda answer: self._show(ticket, answer), lambda exc: self._failed(ticket, exc))

    def _show(self, ticket: int, answer: dict[str, Any]) -> None:
        if ticket != self._ticket:
            return
        self.online = True
        chosen = self.selected_id()
        self.items = list(answer.get("items") or [])
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            for col, text in enumerate(row_cells(item)):
                cell = QTableWidgetItem(text)
                if col == TEXT_COLUMN:
                    cell.setToolTip(str(item.get("text_start") or ""))
                elif col == NEEDS_COLUMN and text:  # seen first: the reason the row is at the top
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, col, cell)
        ids = [i["id"] for i in self.items]
        if self.items:
            self.table.selectRow(ids.index(chosen) if chosen in ids else 0)
        waiting = sum(not i.get("mine") for i in self.items)
        count = self.tr("待领取 %1 条（特殊群体优先，其次等待最久）。选中后按 Enter 领取并在受理表单中打开。") \
            .replace("%1", str(waiting))
        self.status.setText(f"{self.notice}\n{count}" if self.notice else count)
        self._set_enabled()

    def _failed(self, ticket: int, exc: BaseException) -> None:
        if ticket != self._ticket:
            return
        if is_offline(exc):
            self.online = False
            self.items = []
            self.table.setRowCount(0)  # nothing shown can be claimed without the centre
            self.status.setText(self.tr(OFFLINE))
        else:
            self.status.setText(refusal_text(exc))
        self._set_enabled()

    def _set_enabled(self) -> None:
        can = self.online and not self.busy and bool(self.items)
        for button in (self.claim_button, *self.handoff_buttons.values()):
            button.setEnabled(can)
        self.release_button.setEnabled(can and bool(self.selected().get("mine")))

    # --- actions -------------------------------------------------------------------------------------------
    def selected(self) -> dict[str, Any]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else {}

    def selected_id(self) -> str | None:
        return self.selected().get("id")

    def claim_selected(self) -> None:
        intake_id = self.selected_id()
        if intake_id is None or not self.online or self.busy:
            return
        if (blocked := self.claim_blocker()) is not None:
            self.notice = blocked
            self.status.setText(blocked)
            return
        api = self.api
        self._start(self.tr("正在领取…"))
        self.tasks.network(lambda: api("POST", f"/api/v1/intake/{intake_id}/claim"), self._claimed, self._refused)

    def _claimed(self, message: dict[str, Any]) -> None:
        self.busy = False
        self.claimed.emit(message)
        self.refresh()

    def release_selected(self) -> None:
        intake_id = self.selected_id()
        if intake_id is None or not self.selected().get("mine") or self.busy:
            return
        api = self.api
        self._start(self.tr("正在放回队列…"))
        self.tasks.network(lambda: api("POST", f"/api/v1/intake/{intake_id}/release"), self._done, self._refused)

    def hand_off_selected(self, target: str) -> None:
        """Claim (when not already held) and close the message as handed off to 110/119/120, with a note."""
        intake_id = self.selected_id()
        if intake_id is None or not self.online or self.busy:
            return
        note, ok = QInputDialog.getMultiLineText(
            self, self.tr("转 %1").replace("%1", HANDOFF_TARGETS[target]),
            self.tr("转办说明（可留空；时间自动记录）："))
        if not ok:
            return
        api, mine = self.api, bool(self.selected().get("mine"))

        def hand_off() -> Any:
            if not mine:
                api("POST", f"/api/v1/intake/{intake_id}/claim")
            return api("POST", f"/api/v1/intake/{intake_id}/handoff", json_body={"to": target, "note": note})

        self._start(self.tr("正在转办…"))
        self.tasks.network(hand_off, self._done, self._refused)

    def _start(self, text: str) -> None:
        self.busy = True
        self.notice = ""
        self.status.setText(text)
        self._set_enabled()

    def _done(self, answer: dict[str, Any]) -> None:
        self.busy = False
        if answer.get("status") == "handed_off":
            self.notice = self.tr("已记录转 %1。").replace("%1", HANDOFF_TARGETS[str(answer["handoff_to"])])
        self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        if is_offline(exc):
            self._failed(self._ticket, exc)
            return
        self.notice = refusal_text(exc)
        self.refresh()

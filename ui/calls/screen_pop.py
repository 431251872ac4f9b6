"""来电弹屏: a "ringing" event brings the intake workspace forward, starts a case with the caller's number (an unsaved
case on the form is held as a draft first, never lost), and shows the caller's history in a PopDialog.

The telephony adapter (operator_app/cti) calls `event_received.emit` on its listener thread; Qt queues the signal to
the GUI thread. This seat's own cases show at once (a local read); every seat's, through the server, replace them
when they arrive. `link_requested(number, call_id)` is the hook for linking this contact to an earlier open case
(重复来电): connect it and call `set_linking(True)` to offer the button.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from contract.case_fields import CaseInput
from operator_app.cti.events import ANSWERED, ENDED, RINGING, CallEvent
from operator_app.cti.listener import DEFAULT_PORT, CtiListener
from operator_app.services.caller_history import CallerHistory, caller_history
from operator_app.services.case_queries import cases_by_phone, find_case_id
from operator_app.services.held_draft import hold_case, take_held_case
from ui.calls.pop_dialog import PopDialog
from ui.common.errors import show_error

if TYPE_CHECKING:
    from ui.shell.desk_window import DeskWindow

log = logging.getLogger(__name__)
PORT_ENV = "OPERATOR_APP_CTI_PORT"  # the CTI endpoint's port; "off" turns the listener off
TAKE_HELD_KEY = "Ctrl+Shift+H"


def configured_port() -> int | None:
    raw = os.environ.get(PORT_ENV, "").strip()
    if raw.lower() == "off":
        return None
    try:
        return int(raw) if raw else DEFAULT_PORT
    except ValueError:
        log.warning("%s is not a port number; the telephony link uses %d", PORT_ENV, DEFAULT_PORT)
        return DEFAULT_PORT


class ScreenPop(QObject):
    event_received = Signal(object)  # CallEvent, from any thread
    popped = Signal(object)  # CallerHistory: the dialog shows it (this seat's first, then every seat's)
    link_requested = Signal(str, str)  # earlier case's number, this call's id

    def __init__(self, desk: DeskWindow) -> None:
        super().__init__(desk)
        self.desk = desk
        self.call_id = ""  # the call the form's case is taken on; goes with the created event
        self.caller = ""
        self.rang_at = 0.0  # time.perf_counter() of the last ringing event (the benchmark reads it)
        self.rang_id = ""  # the last ringing call: the history shown is its caller's
        self.listener: CtiListener | None = None
        self.dialog = PopDialog(desk, timezone=desk.seat.city.timezone)
        self.dialog.need_confirmed.connect(self._tick_need)
        self.dialog.open_requested.connect(self._open_case)
        self.dialog.link_requested.connect(lambda number: self.link_requested.emit(number, self.call_id))
        self.event_received.connect(self.handle)
        take = QAction(self.tr("取回暂存的工单"), desk)
        take.setShortcut(QKeySequence(TAKE_HELD_KEY))
        take.triggered.connect(self.take_held)
        desk.addAction(take)

    # -- the link ------------------------------------------------------------------------------------------
    def listen(self, port: int | None) -> int | None:
        """Start the CTI endpoint (None: off); returns the port, or None when it could not bind (the desk works
        on without the pop, and says so)."""
        if port is None:
            return None
        try:
            self.listener = CtiListener(self.event_received.emit, port=port).start()
        except OSError as exc:
            log.warning("telephony link not started: port %d unavailable (%s)", port, exc.strerror)
            self.desk.statusBar().showMessage(
                self.tr("来电弹屏未启用：端口 %1 已被占用").replace("%1", str(port)), 10000)
            return None
        return self.listener.port

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def set_linking(self, offered: bool) -> None:
        """Offer 关联到此工单 (Alt+G) and 催办 (Alt+U) for the picked open case (the desk connects link_requested
        and the dialog's urge_requested)."""
        self.dialog.link_button.setVisible(offered)
        self.dialog.urge_button.setVisible(offered)

    # -- events --------------------------------------------------------------------------------------------
    def handle(self, event: CallEvent) -> None:
        if event.event == RINGING:
            self.ring(event)
        elif event.event == ANSWERED and event.call_id == self.call_id:
            self.desk.statusBar().showMessage(self.tr("通话中"), 5000)
        elif event.event == ENDED and event.call_id == self.call_id:
            self.desk.statusBar().showMessage(self.tr("通话已结束：请完成并提交本工单"), 8000)

    def ring(self, event: CallEvent) -> None:
        desk = self.desk
        if not desk.intake or not desk.ready:
            return
        self.rang_at, self.rang_id = time.perf_counter(), event.call_id
        desk.show_workspace("intake")
        if self._correcting():
            # A correction belongs to its case (same number): held as a plain draft it would come back as a new
            # case. The form stays as it is; the operator submits or clears it, then takes the call's case.
            self.call_id, self.caller = "", event.caller
            held = self.tr("表单上是正在更正的退回工单，未改动：提交或清空（Ctrl+N）后再为本次来电新建工单。")
        else:
            held = self._hold_unsaved()
            desk.new_case()
            self.call_id, self.caller = event.call_id, event.caller
            if event.caller:
                desk.form.caller.phone.setText(event.caller)
            else:
                desk.form.caller.no_number.setChecked(True)
            desk.save_draft_now()
            desk.form.caller.name.setFocus()
        self.dialog.start(caller=event.caller, channel=event.channel, held=held)
        if not self.dialog.isVisible():
            self.dialog.place(desk)
        self.dialog.show()
        self.dialog.raise_()
        desk.raise_()
        self.dialog.raise_()
        if not event.caller:
            return
        store, phone, call_id = desk.seat.store, event.caller, event.call_id
        desk.tasks.read(lambda: CallerHistory(cases_by_phone(store, phone), from_server=False),
                        lambda history: self._show(history, call_id))
        engine = desk.sync.engine
        if engine is not None:
            desk.tasks.network(lambda: caller_history(store, phone, api=engine),
                               lambda history: self._show(history, call_id))

    def _correcting(self) -> bool:
        """The form holds a correction: of a change the centre refused, or of a case a team lead sent back."""
        return self.desk.correcting_seq is not None or self.desk.send_back.case is not None

    def _hold_unsaved(self) -> str:
        """Keep what the form holds as the held case (written before the form is reused); the words that say so."""
        desk = self.desk
        form = desk.form.form_input()
        if form == CaseInput() or form.phone == self.caller and self.call_id and form == self._only_phone():
            return ""
        op_id = desk.session.operator.id
        desk.tasks.write(lambda: hold_case(desk.seat.store, operator_id=op_id, form=form),
                         on_error=lambda exc: show_error(desk, exc))
        return self.tr("未提交的工单已暂存为草稿，未丢失；按 %1 取回。").replace("%1", TAKE_HELD_KEY)

    def _only_phone(self) -> CaseInput:
        """The form as the last pop left it: only the caller's number (nothing of a case worth holding)."""
        return CaseInput(phone=self.caller)

    def _show(self, history: CallerHistory, call_id: str) -> None:
        if call_id != self.rang_id:  # a later call popped meanwhile
            return
        if self.dialog.history is not None and self.dialog.history.from_server and not history.from_server:
            return  # the server's answer came first: it already holds this seat's cases
        checked = {code for code, box in self.desk.form.caller.needs.items() if box.isChecked()}
        self.dialog.show_history(history, checked_needs=checked)
        self.popped.emit(history)

    def _tick_need(self, code: str) -> None:
        box = self.desk.form.caller.needs.get(code)
        if box is not None:
            box.setChecked(True)

    def _open_case(self, number: str) -> None:
        desk = self.desk
        store = desk.seat.store

        def opened(case_id: object) -> None:
            if case_id:
                desk.open_case(str(case_id))
            else:
                desk.statusBar().showMessage(
                    self.tr("工单 %1 由其他席位受理，本席位只有列表中的信息").replace("%1", number), 8000)

        desk.tasks.read(lambda: find_case_id(store, number), opened)

    # -- the held case ---------------------------------------------------------------------------------------
    def take_held(self) -> None:
        """Put the held case back on the form; the form's own unsaved case is held in its place."""
        desk = self.desk
        op_id, current = desk.session.operator.id, desk.form.form_input()

        def taken(held: object) -> None:
            if held is None:
                desk.statusBar().showMessage(self.tr("没有暂存的工单"), 5000)
                return
            desk.new_case()
            desk.form.load(held)  # type: ignore[arg-type]
            self.call_id = ""
            desk.save_draft_now()
            desk.statusBar().showMessage(self.tr("已取回暂存的工单") + (
                self.tr("；表单上原来的工单已暂存") if current != CaseInput() else ""), 8000)

        desk.tasks.write(lambda: take_held_case(desk.seat.store, operator_id=op_id, replace_with=current), taken,
                         lambda exc: show_error(desk, exc))

    def take_call_id(self) -> str:
        """The call id for the case being submitted (cleared once the case is submitted: `submitted`)."""
        return self.call_id

    def submitted(self) -> None:
        self.call_id = ""

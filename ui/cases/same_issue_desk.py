"""The desk's side of repeat contacts: the 可能是同一诉求 panel at the top of the intake screen's assist column, the
link dialog (Alt+L: the new contact becomes a 重复来电 on the chosen case, and the number dialog shows the EXISTING
number) and the urge dialog (Ctrl+U: 催办 on a case by its number, or the one selected in 我的工单).

The screen pop (another part of the desk) connects here: `set_call_id` gives the answered call's id, kept with a
linked contact; `link_to(candidate)` opens the link dialog for a case the pop shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from operator_app.services.contacts import ContactResult, link_contact, urge_case
from ui.cases.link_dialog import LinkDialog
from ui.cases.number_dialog import CaseNumberDialog
from ui.cases.same_issue_panel import SameIssuePanel
from ui.cases.urge_dialog import UrgeDialog
from ui.common.errors import show_error
from ui.common.shortcuts import LINK_CONTACT, URGE

if TYPE_CHECKING:
    from ui.shell.desk_window import DeskWindow

class SameIssueDesk(QObject):
    def __init__(self, desk: DeskWindow) -> None:
        super().__init__(desk)
        self.desk = desk
        self.tz = ZoneInfo(desk.seat.city.timezone)
        self.call_id: str | None = None
        self.panel = SameIssuePanel(store=desk.seat.store, tasks=desk.tasks, api=lambda: desk.api, tz=self.tz)
        assist = desk.intake_page().assist  # type: ignore[attr-defined]  # ui/intake/assembly.py
        assist.insertWidget(0, self.panel)
        assist.setCollapsible(0, False)
        assist.setStretchFactor(0, 0)
        self.panel.link_requested.connect(self.link_to)
        # At 1280×720 the assist column has room for the candidates only in place of the suggested articles
        # (measured: the column would otherwise scroll by ~150 px); the search stays, and they come back after.
        self.panel.shown_changed.connect(lambda shown: desk.kb.suggestions.setVisible(not shown))
        self.panel.shown_changed.connect(desk.intake_page().note_same_issue)  # type: ignore[attr-defined]
        desk.form.edited.connect(self._form_edited)
        desk.case_submitted.connect(lambda _result: self.clear())
        desk.form.clear_button.clicked.connect(self.clear)
        self.link_dialog: LinkDialog | None = None
        self.urge_dialog: UrgeDialog | None = None
        # In the desk's 工单 menu, beside submit: the help (F1) lists only keys a menu shows.
        menu = next((m for m in (a.menu() for a in desk.menuBar().actions())
                     if isinstance(m, QMenu) and m.title() == desk.tr("工单(&C)")), None)
        for key, text, slot in ((LINK_CONTACT, self.tr("关联到可能同一诉求的工单（重复来电）"), self.panel.request_link),
                                (URGE, self.tr("催办已有工单"), lambda: self.urge())):
            act = QAction(text, desk)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            if menu is not None:
                menu.addAction(act)
            else:
                desk.addAction(act)

    def set_call_id(self, call_id: str | None) -> None:
        self.call_id = call_id

    def clear(self) -> None:
        self.call_id = None
        self.panel.clear()

    def _form_edited(self) -> None:
        values = self.desk.form.appeal.values()
        phone = self.desk.form.caller.phone.text()
        self.panel.inputs_changed(phone, values["content"], values["district"],
                                  " ".join(x for x in (values["street"], values["address"]) if x))

    # -- 重复来电 ----------------------------------------------------------------------------------------------
    def link_to(self, candidate: dict[str, Any]) -> None:
        content = self.desk.form.appeal.content.edit.toPlainText()
        dialog = self.link_dialog = LinkDialog(candidate, content, self.tz, self.desk)
        dialog.accepted.connect(lambda: self._link(dialog))
        dialog.open()

    def _link(self, dialog: LinkDialog) -> None:
        desk, number, content, call_id = self.desk, str(dialog.candidate["number"]), dialog.content(), self.call_id
        channel = desk.form.appeal.values()["channel"] or "phone"
        op_id = desk.session.operator.id
        desk.tasks.write(lambda: link_contact(desk.seat.store, desk.seat.city, case_number=number, content=content,
                                              channel=channel, operator_id=op_id, call_id=call_id),
                         self._linked, lambda exc: show_error(desk, exc))

    def _linked(self, result: ContactResult) -> None:
        desk = self.desk
        desk.apply_changes(result.changes)
        desk.new_case()  # the contact is recorded: the form is free for the next caller
        self.clear()
        text = desk.tr("已记为该工单的重复来电，未新建工单；请告知市民原工单编号")
        if desk.number_dialog is None:
            desk.number_dialog = CaseNumberDialog(result.number, text, desk)
            desk.number_dialog.finished.connect(desk._ready_for_next_caller)
            desk.number_dialog.open()
        else:
            desk.number_dialog.show_number(result.number, text)

    # -- 催办 --------------------------------------------------------------------------------------------------
    def urge(self, number: str = "") -> None:
        desk = self.desk
        if not number and desk.tabs.currentWidget() is desk.pages.get("cases"):
            rows = desk.cases.table.selectionModel().selectedRows()
            if rows:
                number = desk.model.rows[rows[0].row()].number
        dialog = self.urge_dialog = UrgeDialog(number, desk)
        dialog.accepted.connect(lambda: self._urge(dialog))
        dialog.open()

    def _urge(self, dialog: UrgeDialog) -> None:
        desk, number, text = self.desk, dialog.number(), dialog.text()
        op_id = desk.session.operator.id
        desk.tasks.write(lambda: urge_case(desk.seat.store, desk.seat.city, case_number=number, text=text,
                                           operator_id=op_id),
                         self._urged, lambda exc: show_error(desk, exc))

    def _urged(self, result: ContactResult) -> None:
        self.desk.apply_changes(result.changes)
        self.desk.statusBar().showMessage(self.desk.tr("已记录催办：工单 %1（待同步到中心）").replace("%1", result.number),
                                          8000)

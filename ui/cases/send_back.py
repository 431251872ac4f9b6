"""The operator's side of a send-back (退回修改): the count in the status bar, the returned case loaded into the
form (same number, same acceptance time), and its correction submitted as a `corrected` event.

The desk keeps its one submit path: while a returned case is in the form, `job(form)` gives the write to queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from contract.case_fields import CaseInput
from operator_app.services.corrections import ReturnedCase, correct_case, returned_case
from operator_app.services.intake import SubmitResult
from ui.common.errors import show_error

if TYPE_CHECKING:
    from ui.shell.desk_window import DeskWindow


class SendBack(QObject):
    """Owned by the desk; `case` is the returned case in the form, if any."""

    def __init__(self, desk: DeskWindow) -> None:
        super().__init__(desk)
        self.desk = desk
        self.case: ReturnedCase | None = None
        # Permanent: a normal status-bar widget is hidden by every passing message and shown again after it.
        desk.statusBar().addPermanentWidget(desk.cases.sent_back)
        desk.cases.show_requested.connect(lambda: desk.show_workspace("cases"))

    def start(self, case_id: str) -> None:
        """Load the returned case into the form (read off the GUI thread)."""
        store = self.desk.seat.store
        self.desk.tasks.read(lambda: returned_case(store, case_id=case_id), self._loaded,
                             lambda exc: show_error(self.desk, exc))

    def _loaded(self, returned: ReturnedCase) -> None:
        desk = self.desk
        if desk.form.form_input() != CaseInput() and QMessageBox.question(
                desk, self.tr("更正退回的工单"),
                self.tr("表单中有尚未提交的内容，载入退回的工单会清空它。继续吗？")) != QMessageBox.StandardButton.Yes:
            return
        desk.set_correcting(None)  # a rejected change being corrected gives way (clears self.case too)
        desk.show_workspace("intake")
        desk.form.clear()
        desk.form.load(returned.form)
        desk.kb.clear()
        self.case = returned
        who = desk.seat.city.roster.get(returned.returned_by)
        desk.form.set_banner(self.tr("正在更正工单 %1（%2 退回修改：%3）。改好后按 Ctrl+Enter 重新提交，工单编号不变。")
                             .replace("%1", returned.number)
                             .replace("%2", who.name if who else returned.returned_by)
                             .replace("%3", returned.reason or "—"))
        desk.form.submit_button.setText(self.tr("提交更正 (Ctrl+Enter)"))
        desk.form.appeal.content.edit.setFocus()

    def job(self, form: CaseInput) -> Callable[[], SubmitResult] | None:
        """The write that submits the correction, or None when no returned case is in the form."""
        if self.case is None:
            return None
        store, city, case_id = self.desk.seat.store, self.desk.seat.city, self.case.case_id
        operator_id = self.desk.session.operator.id
        return lambda: correct_case(store, city, case_id=case_id, form=form, operator_id=operator_id)

    def clear(self) -> None:
        """The form holds something else now."""
        if self.case is not None:
            self.case = None
            self.desk.form.set_banner(None)

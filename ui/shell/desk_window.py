"""The desk's window: the workspaces of the person's role in tabs (ui/shell/workspaces.py), the intake workspace's
case form and "my cases", and the status bar with who (their real role), where and what waits to sync."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from contract.case_fields import CaseInput, validate_case
from contract.roles import INTAKE, may, role_label
from operator_app.errors import ValidationErrors
from operator_app.seat import Seat
from operator_app.services.case_queries import get_case
from operator_app.services.changes import Changes
from operator_app.services.corrections import rejected_case_form, resubmit_case
from operator_app.services.drafts import load_draft, save_draft
from operator_app.services.intake import SubmitResult, submit_case
from operator_app.services.shift import ShiftSession
from ui.calls.screen_pop import ScreenPop, configured_port
from ui.cases.detail_dialog import CaseDetailDialog
from ui.cases.list_view import CaseListView
from ui.cases.number_dialog import CaseNumberDialog
from ui.cases.rejected_dialog import RejectedDialog
from ui.cases.same_issue_desk import SameIssueDesk
from ui.cases.send_back import SendBack
from ui.cases.table_model import CaseTableModel
from ui.common import shortcuts as keys
from ui.common.errors import show_error
from ui.common.named import named
from ui.common.shortcuts import ShortcutsDialog
from ui.common.tasks import TaskManager
from ui.intake.assembly import IntakeAssembly
from ui.shell.sync_controller import SyncController
from ui.shell.sync_indicator import SyncIndicator
from ui.shell.workspace_pages import Api, ServerSlot
from ui.shell.workspaces import workspaces_for

if TYPE_CHECKING:
    from operator_app.routing.suggest import Suggestion
    from sync.outbox import RejectedChange

log = logging.getLogger(__name__)
DRAFT_DELAY_MS = 400
PRELOAD_AFTER_MS = 300  # after the form is ready: its first paint and the first sync pass go first


class DeskWindow(QMainWindow):
    """One person's shift on this seat (operator, team lead or trainer); emits `logout_requested` when they hand
    over."""

    logout_requested = Signal()
    form_ready = Signal()
    warmed_up = Signal()  # the routing model and the knowledge base's code are loaded (see _preload)
    case_submitted = Signal(object)  # SubmitResult

    def __init__(self, seat: Seat, session: ShiftSession, tasks: TaskManager, sync: SyncController, *,
                 api: Api | None = None) -> None:
        """`api` is the sync engine's (None while the engine is not set up yet: `engine_ready` gives it later)."""
        super().__init__()
        self.seat, self.session, self.tasks, self.sync, self.api = seat, session, tasks, sync, api
        self.correcting_seq: int | None = None
        self.intake_id: str | None = None  # the channel message (网络渠道) the form holds, claimed on the server
        op = session.operator
        self.role = op.role
        self.intake = may(self.role, INTAKE)  # only then the case form, drafts and submits exist on this desk
        self.setWindowTitle(self.tr("12345 坐席工作台 — %1（%2）").replace("%1", op.name).replace("%2", op.id))
        self.ready = False
        self._detached = False
        self._submitting = False
        self.number_dialog: CaseNumberDialog | None = None
        if self.intake:
            self._build_intake()
        self.tabs = named(QTabWidget(), "deskTabs")
        self.tabs.setDocumentMode(True)
        self.pages: dict[str, QWidget] = {}
        for workspace in workspaces_for(self.role):
            page = workspace.build(self)
            self.pages[workspace.key] = page
            index = self.tabs.addTab(page, workspace.title())
            self.tabs.setTabToolTip(index, f"{workspace.title()} ({workspace.shortcut})")
        if not self.pages:  # a role with nothing to do at a seat (e.g. an administrator)
            self.tabs.addTab(QLabel(self.tr("此账号在坐席工作台上没有可用的工作区。")), self.tr("提示"))
        self.setCentralWidget(self.tabs)
        self.who = named(QLabel(self.tr("%1 %2 %3").replace("%1", role_label(self.role)).replace("%2", op.name)
                                .replace("%3", op.id)), "whoLabel")
        self.seat_label = QLabel(self.tr("席位 %1").replace("%1", seat.store.seat.seat_code))
        self.sync_indicator = SyncIndicator(seat.city.timezone)
        for widget in (self.who, self.seat_label):
            self.statusBar().addWidget(widget)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        sync.status_changed.connect(self.sync_indicator.show_status)
        if self.intake:
            self.send_back = SendBack(self)  # cases sent back for correction: count in the status bar, form loading
            sync.cases_changed.connect(self._cases_synced)
            sync.routing_model_changed.connect(self.routing.model_received)
            sync.status_changed.connect(self.kb.recheck)
            self.sync_indicator.rejected_clicked.connect(self.show_rejected)
        else:  # the seat's queue is shared: another operator's refused case is corrected at their sign-in
            self.sync_indicator.rejected_clicked.connect(lambda: self.statusBar().showMessage(
                self.tr("被退回的工单由受理它的话务员登录后修改并重新提交"), 8000))
        self._build_actions()
        if self.intake:  # 可能是同一诉求, 关联 (Alt+L) and 催办 (Ctrl+U): ui/cases/same_issue_desk.py
            self.same_issue = SameIssueDesk(self)
            self.screen_pop.link_requested.connect(self._link_from_pop)  # the pop's 关联到此工单 (Alt+G)
            self.screen_pop.dialog.urge_requested.connect(self.same_issue.urge)  # and its 催办 (Alt+U)
            self.screen_pop.set_linking(True)
        self._fit_screen()
        if self.intake:
            self.screen_pop.listen(configured_port())
            self.tasks.read(lambda: load_draft(seat.store, operator_id=op.id), self._restore_draft)
            self.cases.apply_filter()
        else:
            QTimer.singleShot(0, self._no_form_ready)
        sync.publish()

    def _build_intake(self) -> None:
        """The intake workspace (ui/intake/assembly.py: case form, routing and knowledge-base column), "my cases",
        the draft timer."""
        seat, tasks, op = self.seat, self.tasks, self.session.operator
        intake = IntakeAssembly(seat.city, tasks, seat.data_dir, store=seat.store, operator_id=op.id, window=self,
                                swap_when_narrow=True)
        self.form, self.routing, self.kb = intake.form, intake.routing, intake.kb
        self.model = CaseTableModel(seat.store, seat.city, tasks)
        self.cases = CaseListView(self.model, operator_id=op.id, shift_start=self.session.login_at)
        intake.message.connect(self.statusBar().showMessage)
        intake.taking_suggestion.connect(lambda: self.show_workspace("intake"))
        self.kb.changes.connect(self.apply_changes)
        self._intake_page = intake
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)
        self.form.edited.connect(self._draft_timer.start)
        self.form.submit_requested.connect(self.submit)
        self.form.clear_button.clicked.connect(self.new_case)
        self.cases.open_case.connect(self.open_case)
        self.screen_pop = ScreenPop(self)  # 来电弹屏 (ui/calls/screen_pop.py)

    def _link_from_pop(self, number: str, call_id: str) -> None:
        """The caller's earlier open case picked in the screen pop: the same link dialog as 可能是同一诉求 (the new
        contact becomes a 重复来电 on that case, with this call's id; no new case)."""
        history = self.screen_pop.dialog.history
        case = next((c for c in history.cases if c.number == number), None) if history is not None else None
        self.same_issue.set_call_id(call_id or None)
        self.same_issue.link_to({"number": number, "status": case.status if case else "",
                                 "category": case.category if case else "",
                                 "accepted_at": case.accepted_at if case else None, "reasons": ["same_phone"],
                                 "phone_masked": "", "title": ""})

    def intake_page(self) -> QWidget:
        return self._intake_page

    def cases_page(self) -> QWidget:
        return self.cases

    def _no_form_ready(self) -> None:
        """A desk without intake is ready once shown (the garbage collector's freeze waits for `form_ready`)."""
        self.ready = True
        self.form_ready.emit()

    def _fit_screen(self) -> None:
        """1280×800 where the screen has room; on a 1280×720 screen (less a taskbar) the window takes the height
        there is rather than running off the bottom; on a narrower screen (1024) the width there is, and the intake
        screen shows its assist column in place of the form (ui/intake/assembly.py)."""
        room = self.screen().availableGeometry()
        if ("workbench" in self.pages or "training" in self.pages) and room.width() > 1400:
            # The workbench's and the trainer's tables and charts use a large screen: most of it, not the seat's
            # 1280 columns.
            self.resize(int(room.width() * 0.9), int(room.height() * 0.9))
            return
        self.resize(min(1280, room.width()), min(800, room.height()))

    def engine_ready(self, api: Api) -> None:
        """The sync engine is set up: the workspaces that read the central server can start."""
        self.api = api
        for slot in self.pages.values():
            if isinstance(slot, ServerSlot):
                slot.connect_api(api)
        practice = self.pages.get("practice")
        if practice is not None:
            practice.connect_api(api)  # type: ignore[attr-defined]  # ui/training/practice/page.py

    def show_workspace(self, key: str) -> None:
        page = self.pages.get(key)
        if page is not None:
            self.tabs.setCurrentWidget(page)

    def _build_actions(self) -> None:
        menus: dict[str, QMenu] = {}

        def action(menu_title: str, text: str, key: str, slot: object) -> None:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            if menu_title not in menus:
                menus[menu_title] = self.menuBar().addMenu(menu_title)
            menus[menu_title].addAction(act)

        case_menu, view_menu, account, help_menu = self.tr("工单(&C)"), self.tr("查看(&V)"), self.tr("账户(&A)"), \
            self.tr("帮助(&H)")
        if self.intake:
            action(case_menu, self.tr("新建工单"), keys.NEW_CASE, self.new_case)
            action(case_menu, self.tr("提交工单"), keys.SUBMIT, self.submit)
            action(case_menu, self.tr("跳到来电号码"), keys.JUMP_PHONE, lambda: self._jump(self.form.caller.phone))
            action(case_menu, self.tr("跳到问题分类"), keys.JUMP_CATEGORY,
                   lambda: self._jump(self.form.appeal.category))
            action(case_menu, self.tr("采纳派单建议"), keys.ACCEPT_ROUTING, self.routing.accept_first)
            for n, key in enumerate(keys.ACCEPT_ROUTING_N):
                action(case_menu, self.tr("采纳第 %1 条派单建议").replace("%1", str(n + 1)), key,
                       lambda _checked=False, n=n: self.routing.accept(n))
            action(case_menu, self.tr("跳到诉求内容"), keys.JUMP_CONTENT,
                   lambda: self._jump(self.form.appeal.content.edit))
            kb_menu = self.tr("知识库(&K)")
            action(kb_menu, self.tr("搜索知识库"), keys.KB_SEARCH, self.focus_kb_search)
            action(kb_menu, self.tr("跳到推荐文章"), keys.KB_SUGGESTIONS, self._focus_suggestions)
            action(kb_menu, self.tr("引用选中文章到答复"), keys.KB_CITE, self.kb.cite_selected)
        for workspace in workspaces_for(self.role):
            action(view_menu, workspace.title(), workspace.shortcut,
                   lambda _checked=False, key=workspace.key: self.show_workspace(key))
        if self.intake:
            action(view_menu, self.tr("搜索我的工单"), keys.SEARCH_CASES, self._search)
            action(view_menu, self.tr("被退回的变更"), keys.REJECTED, self.show_rejected)
        action(view_menu, self.tr("立即同步"), keys.SYNC_NOW, self.sync.run_now)
        action(view_menu, self.tr("我的质检"), keys.MY_QUALITY, self.show_quality)  # quality review (issue 15)
        action(account, self.tr("交班（退出登录）"), keys.LOGOUT, self.logout_requested.emit)
        action(help_menu, self.tr("快捷键"), keys.HELP, lambda: ShortcutsDialog(self, role=self.role).open())
        if self.intake:
            extra = QAction(self, shortcut=QKeySequence("Ctrl+Enter"))
            extra.triggered.connect(self.submit)
            self.addAction(extra)

    def show_quality(self) -> None:
        """我的质检 (quality review, issue 15): the operator's own scored reviews, read from the central server."""
        from ui.cases.quality_dialog import QualityDialog  # imported when asked, not at the desk's start

        if self.sync.engine is None:
            self.statusBar().showMessage(self.tr("未连接中心服务器：无法查看质检结果"), 8000)
            return
        QualityDialog(api=self.sync.engine.api, tasks=self.tasks, timezone=ZoneInfo(self.seat.city.timezone),
                      parent=self).open()

    def _jump(self, widget: object) -> None:
        self.show_workspace("intake")
        self._intake_page.show_form()
        widget.setFocus()  # type: ignore[attr-defined]

    def focus_kb_search(self) -> None:
        self.show_workspace("intake")
        self._intake_page.show_assist()
        self.kb.search.focus_search()

    def _focus_suggestions(self) -> None:
        self.show_workspace("intake")
        self._intake_page.show_assist()
        self.kb.suggestions.focus_list()

    def _search(self) -> None:
        self.tabs.setCurrentWidget(self.cases)
        self.cases.focus_search()

    # -- draft ---------------------------------------------------------------------------------------------
    def _routing_inputs_changed(self) -> None:
        self._intake_page.routing_inputs_changed()

    def apply_suggestion(self, suggestion: Suggestion) -> None:
        self._intake_page.apply_suggestion(suggestion)

    def _restore_draft(self, draft: object) -> None:
        if draft is not None:
            self.form.load(draft)  # type: ignore[arg-type]
            self._routing_inputs_changed()
            self.kb.content_changed()  # form.load emits no edits: ask for the suggestions and the case vector
            self.statusBar().showMessage(self.tr("已恢复上次未提交的工单草稿"), 8000)
        self.form.caller.phone.setFocus()
        self.kb.start()
        self.ready = True
        self.form_ready.emit()
        QTimer.singleShot(PRELOAD_AFTER_MS, self._preload)

    def _preload(self) -> None:
        """Load what the assist panels need on workers while the operator is still idle after login: loading it at
        the first keystroke held the interpreter lock (the routing vocabulary's json.loads, numpy's import) for 30-40 ms
        at a time while the GUI thread waited, stalling typing."""
        if self._detached:
            return
        waiting = {"routing", "kb"}

        def finished(part: str) -> None:
            waiting.discard(part)
            if not waiting:
                self.warmed_up.emit()

        if self.routing.loaded:
            finished("routing")
        else:
            self.routing.load_finished.connect(lambda: finished("routing"), Qt.ConnectionType.SingleShotConnection)
            self.routing.preload()
        self.kb.preload(lambda: finished("kb"))

    def save_draft_now(self) -> None:
        """Queue the form as the operator's draft on the writer thread (a desk without intake has none)."""
        if not self.intake:
            return
        self._draft_timer.stop()
        form, op_id = self.form.form_input(), self.session.operator.id
        self.tasks.write(lambda: save_draft(self.seat.store, operator_id=op_id, form=form),
                         on_error=lambda exc: show_error(self, exc))

    def new_case(self) -> None:
        self._draft_timer.stop()
        self.set_correcting(None)
        self.form.clear()
        self.kb.clear()
        self.routing.reset()
        self.save_draft_now()
        self.show_workspace("intake")

    # -- submit --------------------------------------------------------------------------------------------
    def submit(self) -> None:
        if self._submitting:
            return
        self.show_workspace("intake")
        form = self.form.form_input()
        try:
            validate_case(form, self.seat.city)
        except ValidationErrors as exc:
            self.form.show_errors(exc)
            return
        self.form.show_errors(None)
        self._draft_timer.stop()
        self._submitting = True
        self.form.submit_button.setEnabled(False)
        op_id, seq = self.session.operator.id, self.correcting_seq
        correction = self.send_back.job(form)
        if correction is not None:
            self.tasks.write(correction, self._submitted, self._submit_failed)
            return
        if seq is not None:
            self.tasks.write(lambda: resubmit_case(self.seat.store, self.seat.city, seq=seq, form=form),
                             self._submitted, self._submit_failed)
            return
        snapshot, citations = self.routing.snapshot, self.kb.citations_for(form)
        handling, call_id, intake_id = self.form.handling_seconds(), self.screen_pop.take_call_id(), self.intake_id
        self.tasks.write(lambda: submit_case(self.seat.store, self.seat.city, form=form, operator_id=op_id,
                                             routing=snapshot, citations=citations, handling_seconds=handling,
                                             call_id=call_id, intake_id=intake_id),
                         self._submitted, self._submit_failed)

    def _submitted(self, result: SubmitResult) -> None:
        self._submitting = False
        self.form.submit_button.setEnabled(True)
        log.info("case submitted id=%s number=%s", result.case_id, result.number)
        self.screen_pop.submitted()
        self.set_correcting(None)
        self.form.clear()
        self.kb.clear()
        self.routing.reset()
        self.apply_changes(result.changes)
        self.case_submitted.emit(result)
        if self.number_dialog is None:
            self.number_dialog = CaseNumberDialog(result.number, self._deadline_text(result), self)
            self.number_dialog.finished.connect(self._ready_for_next_caller)
            self.number_dialog.open()
        else:
            self.number_dialog.show_number(result.number, self._deadline_text(result))

    def _ready_for_next_caller(self) -> None:
        self.activateWindow()
        self.form.caller.phone.setFocus()

    def _deadline_text(self, result: SubmitResult) -> str:
        if not result.finish_by:
            return self.tr("已直接办结，无需派单")
        tz = ZoneInfo(self.seat.city.timezone)

        def local(ts: str) -> str:
            return datetime.fromisoformat(ts).astimezone(tz).strftime("%m-%d %H:%M")

        return self.tr("已派单，%1 前响应，%2 前办结").replace("%1", local(result.respond_by)) \
            .replace("%2", local(result.finish_by))

    def _submit_failed(self, exc: BaseException) -> None:
        self._submitting = False
        self.form.submit_button.setEnabled(True)
        if isinstance(exc, ValidationErrors):
            self.form.show_errors(exc)
        else:
            show_error(self, exc)

    def apply_changes(self, changes: Changes) -> None:
        """Refresh only what a write touched; a queued change asks the sync worker to run soon."""
        if changes.case_ids:
            self.model.refresh()
        if changes.outbox:
            self.sync.trigger()

    # -- rejected changes ----------------------------------------------------------------------------------
    def show_rejected(self) -> None:
        from sync.outbox import rejected_changes

        self.tasks.read(lambda: rejected_changes(self.seat.store), self._open_rejected)

    def _open_rejected(self, rejected: list[RejectedChange]) -> None:
        dialog = RejectedDialog(rejected, self.seat.city, self)
        dialog.correct.connect(self.start_correction)
        dialog.open()

    def start_correction(self, seq: int) -> None:
        """Load a rejected case into the form; the next submit queues the corrected version."""
        def loaded(form: object) -> None:
            self.show_workspace("intake")
            self.form.load(form)  # type: ignore[arg-type]
            self.kb.clear()
            self.set_correcting(seq)
            self.form.appeal.content.edit.setFocus()

        self.tasks.read(lambda: rejected_case_form(self.seat.store, seq=seq), loaded,
                        lambda exc: show_error(self, exc))

    def set_correcting(self, seq: int | None) -> None:
        self.send_back.clear()
        self.correcting_seq = seq
        self.intake_id = None
        self.form.submit_button.setText(self.tr("重新提交更正 (Ctrl+Enter)") if seq is not None
                                        else self.tr("提交工单 (Ctrl+Enter)"))

    def take_channel_message(self, form: CaseInput, intake_id: str, banner: str) -> None:
        """A channel message this operator claimed (ui/channels/) in a new case form; its case names the message."""
        self.new_case()
        self.form.load(form)
        self.intake_id = intake_id
        self.form.set_banner(banner)
        self.form.edited.emit()  # as a typed edit: routing and knowledge-base suggestions, the draft, the clock
        self.form.appeal.content.edit.setFocus()

    # -- case view -----------------------------------------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        self.tasks.read(lambda: get_case(self.seat.store, case_id), self._show_case)

    def _show_case(self, detail: object) -> None:
        if detail is None:
            QMessageBox.information(self, self.tr("工单"), self.tr("找不到该工单"))
            return
        dialog = CaseDetailDialog(detail, self.seat.city, self)  # type: ignore[arg-type]
        dialog.correct_requested.connect(self.send_back.start)
        dialog.open()

    def _cases_synced(self, _case_ids: object) -> None:
        self.model.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        practice = self.pages.get("practice")
        if practice is not None:
            practice.close_window()  # type: ignore[attr-defined]  # ui/training/practice/page.py
        if self.intake and self._draft_timer.isActive():
            self.save_draft_now()
        if not self._detached:
            self._detached = True
            if self.intake:
                self.screen_pop.stop()
            self.sync.status_changed.disconnect(self.sync_indicator.show_status)
            if self.intake:
                self.sync.cases_changed.disconnect(self._cases_synced)
                self.sync.routing_model_changed.disconnect(self.routing.model_received)
                self.sync.status_changed.disconnect(self.kb.recheck)
        super().closeEvent(event)

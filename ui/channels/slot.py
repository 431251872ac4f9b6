"""The 网络渠道 workspace's slot: waits for the sync engine's `api` (the queue lives on the central server), then
holds the queue page and opens each claimed message in the desk's case form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from contract.case_fields import CaseInput
from contract.channel_intake import HANDOFF_TARGETS
from contract.enums import Channel
from operator_app.services.channel_messages import form_from_message
from ui.channels.queue_text import OFFLINE, is_offline, refusal_text
from ui.common import shortcuts as keys
from ui.common.named import named
from ui.common.texts import label_of
from ui.shell.workspace_pages import Api, ServerSlot

if TYPE_CHECKING:
    from ui.shell.desk_window import DeskWindow


RENEW_MIN_MS = 1000


def _t(text: str) -> str:
    return QCoreApplication.translate("ChannelQueue", text)


class ChannelSlot(ServerSlot):
    def __init__(self, desk: DeskWindow) -> None:
        super().__init__()
        self.desk = desk
        waiting = named(QLabel(_t(OFFLINE)), "channelWaiting")
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        waiting.setWordWrap(True)
        self.start(waiting, desk.api)
        QTimer.singleShot(0, self._add_menu)  # after the desk's own menus
        # While the form holds a claimed message, its claim is renewed (a third of its time before it lapses):
        # an operator still typing keeps it; a seat that died lets it lapse.
        self.renewal = QTimer(self, singleShot=True)
        self.renewal.timeout.connect(self._renew)
        self._renewing: str | None = None

    def _add_menu(self) -> None:
        """The hand-off keys as the desk binds every key (a menu action, listed by F1): they act on this page's
        selected message while it is the current workspace."""
        menu = self.desk.menuBar().addMenu(_t("网络渠道(&W)"))
        for key, target in zip(keys.CHANNEL_HANDOFF, HANDOFF_TARGETS, strict=True):
            act = QAction(_t("选中留言转 %1").replace("%1", HANDOFF_TARGETS[target]), self.desk)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(lambda _checked=False, t=target: self._hand_off(t))
            menu.addAction(act)

    def _hand_off(self, target: str) -> None:
        from ui.channels.page import ChannelQueuePage

        if isinstance(self.page, ChannelQueuePage) and self.desk.tabs.currentWidget() is self:
            self.page.hand_off_selected(target)

    def build(self, api: Api) -> QWidget:
        from ui.channels.page import ChannelQueuePage

        page = ChannelQueuePage(api=api, tasks=self.desk.tasks)
        page.claimed.connect(self.open_in_form)
        page.claim_blocker = self.form_busy
        return page

    def form_busy(self) -> str | None:
        """The form must be free: opening a message clears it, and what the operator typed would be lost."""
        desk = self.desk
        if desk.correcting_seq is not None or desk.send_back.case is not None:
            return _t("受理表单正在更正被退回的工单：请先提交更正，再领取网络渠道留言。")
        if desk.form.form_input() != CaseInput():
            return _t("受理表单中有未提交的内容：请先提交，或清空（Ctrl+N）后再领取网络渠道留言。")
        return None

    def open_in_form(self, message: dict[str, Any]) -> None:
        """The claimed message in a new case form; its case, once at the centre, gives the channel the number."""
        made = form_from_message(message)
        banner = _t("网络渠道留言（%1）：请补全分类、地点和处置后提交，工单号将自动回复给留言人。") \
            .replace("%1", label_of(Channel, str(message.get("channel"))))
        if made.emoji_removed:
            banner += _t("留言中的表情符号已略去（承办单位系统无法保存）。")
        self.desk.take_channel_message(made.form, str(message["id"]), banner)
        self._renewing = str(message["id"])
        self._renew_after(message)

    def _renew_after(self, claimed: dict[str, Any]) -> None:
        until = datetime.fromisoformat(str(claimed["claim_until"]))
        left_ms = (until - datetime.now(UTC)).total_seconds() * 1000
        self.renewal.start(max(RENEW_MIN_MS, int(left_ms / 3)))

    def _renew(self) -> None:
        intake_id, api = self._renewing, self.desk.api
        if intake_id is None or api is None or self.desk.intake_id != intake_id:
            self._renewing = None  # submitted or cleared: the case (or nothing) settles the message
            return
        self.desk.tasks.network(lambda: api("POST", f"/api/v1/intake/{intake_id}/claim"), self._renewed,
                                lambda exc: self._renew_failed(intake_id, exc))

    def _renewed(self, claimed: dict[str, Any]) -> None:
        if self._renewing == claimed.get("id"):
            self._renew_after(claimed)

    def _renew_failed(self, intake_id: str, exc: BaseException) -> None:
        if self._renewing != intake_id:
            return
        if is_offline(exc):  # try again; the claim may lapse meanwhile, and the server then decides
            self.renewal.start(RENEW_MIN_MS * 10)
            return
        self._renewing = None
        self.desk.statusBar().showMessage(
            _t("这条网络渠道留言的领取已失效（%1）提交后将作为普通工单，不会自动回复留言人。")
            .replace("%1", refusal_text(exc)), 30_000)

"""One case of the team, for its lead: the case (personal data masked; 查看 reveals one value after asking why,
audited on the server), its whole history (who, when, why), and the actions 退回修改 / 改派 / 督办 / 备注."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from contract.enums import AppealType, CallbackResult, Channel, SpecialNeed, Urgency
from ui.common.tasks import TaskManager
from ui.common.texts import label_of
from ui.common.times import shown_time
from ui.lead.case_errors import show_lead_error
from ui.lead.case_reason import ReasonDialog
from ui.lead.queue_text import lead_city

Api = Callable[..., Any]
# (action, button text, dialog prompt, needs a department)
ACTIONS = (
    ("return_for_correction", "退回修改", "退回给受理话务员修改，请写明需要修改什么：", False),
    ("redispatch", "改派", "改派给另一承办单位，请选择单位并写明原因：", True),
    ("supervise", "督办", "将此工单列为督办，请写明督办原因：", False),
    ("note", "备注", "给此工单加一条备注：", False),
)
REVEAL_FIELDS = (("caller_name", "来电人"), ("phone", "来电号码"), ("address", "详细地址"))


class CaseDialog(QDialog):
    """Loads the case on the network thread; `changed` after an action the server accepted."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, number: str, *, api: Api, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number, self.api, self.tasks = number, api, tasks
        self.city: City | None = None
        self.detail: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("工单 %1").replace("%1", number))
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        self.status = QLabel(self.tr("正在读取…"))
        layout.addWidget(self.status)
        top = QHBoxLayout()
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        self.reveal_buttons: dict[str, QPushButton] = {}
        for key, text in (("number", "工单编号"), ("status", "状态"), ("operator", "受理话务员"),
                          ("accepted", "受理时间"), ("deadlines", "响应/办结时限"), ("caller_name", "来电人"),
                          ("phone", "来电号码"), ("needs", "特殊需求"), ("kind", "来源/类型"),
                          ("category", "问题分类"), ("place", "地点"), ("address", "详细地址"),
                          ("urgency", "紧急程度"), ("department", "主办单位"), ("routing", "派单建议")):
            label = QLabel("—")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.values[key] = label
            reveal = next((f for f in REVEAL_FIELDS if f[0] == key), None)
            if reveal is None:
                self.form.addRow(self.tr(text), label)
                continue
            row = QHBoxLayout()
            row.addWidget(label, 1)
            button = QPushButton(self.tr("查看"))
            button.setToolTip(self.tr("显示完整内容（需填写原因，将记入审计日志）"))
            button.clicked.connect(lambda _=False, f=key: self.ask_reveal(f))
            button.setEnabled(False)
            self.reveal_buttons[key] = button
            row.addWidget(button)
            self.form.addRow(self.tr(text), row)
        top.addLayout(self.form, 1)
        content = QVBoxLayout()
        content.addWidget(QLabel(self.tr("诉求内容")))
        self.content = QLabel("—")
        self.content.setWordWrap(True)
        self.content.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.content.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        content.addWidget(self.content, 1)
        top.addLayout(content, 1)
        layout.addLayout(top)
        layout.addWidget(QLabel(self.tr("处理记录")))
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels([self.tr("时间"), self.tr("事件"), self.tr("操作人"), self.tr("说明")])
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        layout.addWidget(self.history, 1)
        buttons = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for action, text, _prompt, _dept in ACTIONS:
            button = QPushButton(self.tr(text))
            button.clicked.connect(lambda _=False, a=action: self.ask_action(a))
            button.setEnabled(False)
            self.action_buttons[action] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    # --- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        api, number = self.api, self.number

        def fetch() -> tuple[dict[str, Any], City]:
            return api("GET", f"/api/v1/lead/cases/{number}"), lead_city()

        self.tasks.network(fetch, self._show, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("读取失败"))
        self.status.setVisible(True)
        show_lead_error(self, exc)

    def _show(self, result: tuple[dict[str, Any], City]) -> None:
        self.detail, self.city = result
        case, tz = self.detail["case"], self._tz()
        fields: Mapping[str, Any] = case.get("fields") or {}
        self.status.setText("")
        self.status.setVisible(False)
        for key, button in self.reveal_buttons.items():
            button.setEnabled(bool(fields.get(key)))
        v = self.values
        v["number"].setText(case["number"])
        v["status"].setText(case.get("status_label") or case["status"])
        v["operator"].setText(f"{case.get('operator_name') or ''}（{case['created_by']}） {case.get('seat_code') or ''}")
        v["accepted"].setText(shown_time(case.get("accepted_at"), tz, "%Y-%m-%d %H:%M"))
        v["deadlines"].setText(f"{shown_time(case.get('respond_by'), tz)} / {shown_time(case.get('finish_by'), tz)}")
        v["caller_name"].setText(fields.get("caller_name") or self.tr("匿名"))
        v["phone"].setText(fields.get("phone") or self.tr("无号码"))
        needs = "、".join(label_of(SpecialNeed, c) for c in fields.get("special_needs") or [])
        v["needs"].setText(needs or "—")
        v["kind"].setText(f"{label_of(Channel, fields.get('channel', ''))} / "
                          f"{label_of(AppealType, fields.get('appeal_type', ''))}")
        v["category"].setText(str(fields.get("category") or "").replace("/", " / "))
        v["place"].setText(" ".join(x for x in (case.get("district") or "", case.get("street") or "") if x) or "—")
        v["address"].setText(fields.get("address") or "—")
        v["urgency"].setText(label_of(Urgency, fields.get("urgency", "normal")))
        v["department"].setText(case.get("lead_department_name") or "—")
        confidence = case.get("routing_confidence")
        v["routing"].setText("—" if confidence is None else self.tr("置信度 %1%2").replace(
            "%1", f"{confidence:.0%}").replace("%2", self.tr("，话务员改选") if case.get("routing_overridden") else ""))
        self.content.setText(str(fields.get("content") or ""))
        self._show_history(self.detail["events"])
        status = case["status"]
        movable = status in ("dispatched", "signed", "returned", "extended")
        self.action_buttons["return_for_correction"].setEnabled(movable)
        self.action_buttons["redispatch"].setEnabled(movable)
        self.action_buttons["supervise"].setEnabled(status != "closed")
        self.action_buttons["note"].setEnabled(True)
        self.loaded.emit()

    def _tz(self) -> ZoneInfo | None:
        return ZoneInfo(self.city.timezone) if self.city is not None else None

    def _show_history(self, events: list[dict[str, Any]]) -> None:
        tz = self._tz()
        self.history.setRowCount(len(events))
        for r, event in enumerate(events):
            cells = (shown_time(event.get("recorded_at"), tz, "%Y-%m-%d %H:%M:%S"),
                     self.tr(event.get("label") or event["kind"]),
                     f"{event.get('actor_name') or ''}（{event.get('actor_id') or ''}）", self.explain(event))
            for c, text in enumerate(cells):
                self.history.setItem(r, c, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def history_rows(self) -> list[tuple[str, ...]]:
        """The history as shown (the tests read it)."""
        def text(r: int, c: int) -> str:
            item = self.history.item(r, c)
            return item.text() if item is not None else ""

        return [tuple(text(r, c) for c in range(4)) for r in range(self.history.rowCount())]

    def explain(self, event: Mapping[str, Any]) -> str:
        """Why: the reason, the note, where the case went, the new deadline, the callback's result."""
        p: Mapping[str, Any] = event.get("payload") or {}
        names = self.city.departments if self.city is not None else {}
        parts = []
        if p.get("to_department"):
            to = names.get(p["to_department"])
            parts.append(self.tr("改派至 %1").replace("%1", to.name if to else p["to_department"]))
        if p.get("new_finish_by"):
            parts.append(self.tr("新办结时限 %1").replace("%1", shown_time(p["new_finish_by"], self._tz())))
        if p.get("result"):
            parts.append(label_of(CallbackResult, p["result"]))
        for key in ("reason", "text", "note"):
            if p.get(key):
                parts.append(str(p[key]))
        return "；".join(parts)

    # --- reveal and actions --------------------------------------------------------------------------------
    def ask_reveal(self, field: str) -> None:
        title = dict(REVEAL_FIELDS)[field]
        dialog = ReasonDialog(self.tr("查看%1").replace("%1", self.tr(title)),
                              self.tr("查看完整信息将记入审计日志，请填写原因："), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reveal(field, dialog.reason())

    def reveal(self, field: str, reason: str) -> None:
        api, number = self.api, self.number
        self.tasks.network(
            lambda: api("POST", f"/api/v1/lead/cases/{number}/reveal", json_body={"field": field, "reason": reason}),
            lambda answer: self.values[field].setText(str(answer.get("value") or "—")),
            lambda exc: show_lead_error(self, exc))

    def ask_action(self, action: str) -> None:
        _a, text, prompt, needs_department = next(a for a in ACTIONS if a[0] == action)
        departments: list[tuple[str, str]] = []
        if needs_department and self.city is not None and self.detail is not None:
            current = self.detail["case"].get("lead_department")
            departments = [(d.id, d.name) for d in self.city.departments.values() if d.id != current]
        dialog = ReasonDialog(self.tr(text), self.tr(prompt), self, departments=departments,
                              min_chars=0 if action == "note" else 2)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.act(action, dialog.reason(), dialog.department_id() or None)

    def act(self, action: str, reason: str, to_department: str | None = None) -> None:
        body: dict[str, Any] = {"action": action}
        if action == "note":
            body["text"] = reason
        else:
            body["reason"] = reason
        if to_department:
            body["to_department"] = to_department
        api, number = self.api, self.number
        for button in self.action_buttons.values():
            button.setEnabled(False)

        def done(_answer: Any) -> None:
            self.changed.emit()
            self.reload()

        def failed(exc: BaseException) -> None:
            show_lead_error(self, exc)
            self.reload()

        self.tasks.network(lambda: api("POST", f"/api/v1/lead/cases/{number}/actions", json_body=body), done,
                           failed)

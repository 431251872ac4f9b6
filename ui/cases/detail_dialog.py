"""One case: its fields (personal data shown to the operator who has the case open) and its event history; a case
sent back for correction (退回修改) shows the lead's reason and offers the correction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from contract.enums import AppealType, CaseStatus, Channel, Disposition, SpecialNeed, Urgency
from contract.events import EVENT_LABELS, EXTENDED, RETURNED_FOR_CORRECTION, CaseEvent
from contract.phone import mask_name, mask_phone
from operator_app.services.case_queries import CaseDetail
from ui.common.named import named
from ui.common.texts import label_of, tr_core


class CaseDetailDialog(QDialog):
    """Read-only view; confidential callers stay masked even here. `correct_requested(case_id)`: the operator
    chose to correct a case sent back."""

    correct_requested = Signal(str)

    def __init__(self, detail: CaseDetail, city: City, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        state, f = detail.state, detail.state.fields
        tz = ZoneInfo(city.timezone)

        def local(ts: str) -> str:
            return datetime.fromisoformat(ts).astimezone(tz).strftime("%Y-%m-%d %H:%M") if ts else "—"

        self.setWindowTitle(self.tr("工单 %1").replace("%1", state.number))
        dist = city.districts.get(f["district"])
        lead = city.departments.get(f["lead_department"])
        cooperating = "、".join(city.departments[d].name for d in f["cooperating_departments"] if d in city.departments)
        name = f["caller_name"] or self.tr("匿名")
        phone = f["phone"] or self.tr("无号码")
        if f["confidential"]:
            name, phone = mask_name(f["caller_name"]) or self.tr("匿名"), mask_phone(f["phone"])
        needs = "、".join(label_of(SpecialNeed, c) for c in f["special_needs"])
        if f["special_needs_other"]:
            needs += f"（{f['special_needs_other']}）"
        rows = [
            (self.tr("工单编号"), state.number),
            (self.tr("状态"), label_of(CaseStatus, state.status) + ("" if detail.synced else self.tr("（待同步）"))),
            (self.tr("来电人"), name + (self.tr("（保密）") if f["confidential"] else "")),
            (self.tr("来电号码"), phone),
            (self.tr("特殊需求"), needs or "—"),
            (self.tr("来源/类型"), f"{label_of(Channel, f['channel'])} / {label_of(AppealType, f['appeal_type'])}"),
            (self.tr("问题分类"), f["category"].replace("/", " / ")),
            (self.tr("地点"), " ".join(x for x in ((dist.name if dist else ""), f["street"], f["address"]) if x)),
            (self.tr("紧急程度"), label_of(Urgency, f["urgency"]) + (f"：{f['urgency_reason']}"
                                                                   if f["urgency_reason"] else "")),
            (self.tr("处理方式"), label_of(Disposition, f["disposition"])),
        ]
        if f["disposition"] == Disposition.DIRECT.value:
            rows.append((self.tr("答复内容"), f["answer"]))
        else:
            rows.append((self.tr("主办单位"), lead.name if lead else f["lead_department"]))
            rows.append((self.tr("协办单位"), cooperating or "—"))
            rows.append((self.tr("响应时限"), local(state.respond_by)))
            rows.append((self.tr("办结时限"), local(state.finish_by)))
        rows.append((self.tr("诉求内容"), f["content"]))
        rows.append((self.tr("诉求要求"), f["request"] or "—"))
        form = QFormLayout()
        for caption, value in rows:
            text = QLabel(value)
            text.setWordWrap(True)
            form.addRow(caption, text)
        history = named(QListWidget(), "eventHistory")
        history.setWordWrap(True)  # department reasons are sentences: wrap, never scroll sideways
        for event in detail.events:
            history.addItem(self._history_line(event, city, local))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.correct_button: QPushButton | None = None
        if state.status == CaseStatus.CORRECTING.value:
            returned = next((e for e in reversed(detail.events) if e.kind == RETURNED_FOR_CORRECTION), None)
            who = city.roster.get(returned.operator_id) if returned else None
            reason = str(returned.payload.get("reason") or "") if returned else ""
            banner = named(QLabel(self.tr("%1 退回修改：%2").replace("%1", who.name if who else self.tr("班组长"))
                                  .replace("%2", reason or "—")), "sentBackReason")
            banner.setWordWrap(True)
            banner.setStyleSheet("QLabel { color: #e65100; background: #fff3e0; border: 1px solid #ffb74d;"
                                 " padding: 6px; font-weight: bold; }")
            layout.addWidget(banner)
            self.correct_button = named(QPushButton(self.tr("更正后重新提交 (Enter)")), "correctSentBack")
            self.correct_button.setDefault(True)
            buttons.addButton(self.correct_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.correct_button.clicked.connect(lambda: self._correct(state.id))
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("办理记录")))
        layout.addWidget(history)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def _correct(self, case_id: str) -> None:
        self.correct_requested.emit(case_id)
        self.accept()

    def _history_line(self, event: CaseEvent, city: City, local: Callable[[str], str]) -> str:
        """'11-28 10:00  退单  市住房和城乡建设局：非本单位职责'."""
        kind = tr_core(EVENT_LABELS.get(event.kind, event.kind))
        p = event.payload
        dept = city.departments.get(str(p.get("department_id", "")))
        who = city.roster.get(event.operator_id)
        actor = dept.name if dept else (who.name if who else event.operator_id)
        line = f"{local(event.recorded_at)}  {kind}  {actor}"
        if p.get("reason"):
            line += self.tr("：%1").replace("%1", str(p["reason"]))
        if event.kind == EXTENDED and p.get("new_finish_by"):
            line += self.tr("（新办结时限 %1）").replace("%1", local(str(p["new_finish_by"])))
        return line

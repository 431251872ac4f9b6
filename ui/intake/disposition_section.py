"""处理方式: answer on the spot (直接办结) or dispatch (派单) to a lead and cooperating units, with the deadline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from contract.case_fields import CaseInput
from contract.city.model import City
from contract.enums import Disposition
from operator_app.domain.deadlines import compute_deadlines
from ui.common.named import named
from ui.common.texts import label
from ui.intake.caller_section import _row
from ui.intake.field_box import FieldBox


def _hours_text(hours: float) -> str:
    if hours < 1:
        return QCoreApplication.translate("DispositionSection", "%1分钟").replace("%1", f"{hours * 60:g}")
    return QCoreApplication.translate("DispositionSection", "%1小时").replace("%1", f"{hours:g}")


class DispositionSection(QGroupBox):
    """How the case leaves the seat; the deadline shown follows the city's rules for category and urgency."""

    def __init__(self, city: City) -> None:
        super().__init__()
        self.setTitle(self.tr("处理方式"))
        self.city = city
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for member in Disposition:
            button = QRadioButton(label(member))
            self.group.addButton(button)
            self.buttons[member.value] = button
        self.answer = named(QPlainTextEdit(), "answer")
        self.answer.setTabChangesFocus(True)
        self.answer.setPlaceholderText(self.tr("直接办结时，填写给市民的答复内容"))
        self.answer.setMaximumHeight(100)  # room for a cited article's answer; the form fits 1280×720 unscrolled
        self.lead = named(QComboBox(), "lead_department")
        self.lead.setEditable(True)
        self.lead.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lead.addItem("", "")
        for dept in city.departments.values():
            self.lead.addItem(dept.name, dept.id)
        completer, editor = self.lead.completer(), self.lead.lineEdit()
        assert completer is not None and editor is not None  # an editable combo box has both
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        editor.setPlaceholderText(self.tr("输入单位名称筛选"))
        self.cooperating = named(QListWidget(), "cooperating_departments")
        self.cooperating.setMaximumHeight(90)
        for dept in city.departments.values():
            item = QListWidgetItem(dept.name)
            item.setData(Qt.ItemDataRole.UserRole, dept.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.cooperating.addItem(item)
        self.deadline = named(QLabel(), "deadline")
        self.deadline.setWordWrap(True)
        for button in self.buttons.values():
            button.toggled.connect(self._sync_enabled)

        self.fields = {
            "disposition": FieldBox(_row(*self.buttons.values()), self.buttons[Disposition.DIRECT.value]),
            "answer": FieldBox(self.answer),
            "lead_department": FieldBox(self.lead),
            "cooperating_departments": FieldBox(self.cooperating),
        }
        form = QFormLayout(self)
        form.addRow(self.tr("处理方式"), self.fields["disposition"])
        form.addRow(self.tr("答复内容"), self.fields["answer"])
        form.addRow(self.tr("主办单位"), self.fields["lead_department"])
        form.addRow(self.tr("协办单位"), self.fields["cooperating_departments"])
        form.addRow(self.tr("办理时限"), self.deadline)
        self._sync_enabled()

    def disposition(self) -> str:
        for code, button in self.buttons.items():
            if button.isChecked():
                return code
        return ""

    def _sync_enabled(self) -> None:
        dispatch = self.disposition() == Disposition.DISPATCH.value
        direct = self.disposition() == Disposition.DIRECT.value
        self.answer.setEnabled(direct)
        self.lead.setEnabled(dispatch)
        self.cooperating.setEnabled(dispatch)

    def update_deadline(self, *, category: str, urgency: str, now: datetime | None = None) -> None:
        """Show the response and finish deadlines the case would get if submitted now."""
        if self.disposition() == Disposition.DIRECT.value:
            self.deadline.setText(self.tr("直接办结，无需派单时限"))
            return
        if not self.city.categories.is_leaf(category):
            self.deadline.setText(self.tr("选择问题分类后显示时限（默认：1小时内响应，24小时内办结）"))
            return
        at = now or datetime.now(UTC)
        dl = compute_deadlines(self.city.deadline_rules, category=category, urgency=urgency, accepted_at=at)
        tz = ZoneInfo(self.city.timezone)
        text = self.tr("%1内响应（%2前），%3内办结（%4前）").replace("%1", _hours_text(dl.rule.respond_hours)) \
            .replace("%2", dl.respond_by.astimezone(tz).strftime("%m-%d %H:%M")) \
            .replace("%3", _hours_text(dl.rule.finish_hours)) \
            .replace("%4", dl.finish_by.astimezone(tz).strftime("%m-%d %H:%M"))
        if dl.rule.note:
            text += "\n" + self.tr("依据：") + dl.rule.note
        self.deadline.setText(text)

    def set_cooperating(self, department_ids: tuple[str, ...]) -> None:
        """Tick exactly these cooperating units."""
        for i in range(self.cooperating.count()):
            item = self.cooperating.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in department_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def focus_chain(self) -> list[QWidget]:
        return [*self.buttons.values(), self.answer, self.lead, self.cooperating]

    def values(self) -> dict[str, Any]:
        dispatch = self.disposition() == Disposition.DISPATCH.value
        checked = [
            self.cooperating.item(i).text() for i in range(self.cooperating.count())
            if self.cooperating.item(i).checkState() == Qt.CheckState.Checked
        ]
        return {
            "disposition": self.disposition(),
            "answer": self.answer.toPlainText() if self.disposition() == Disposition.DIRECT.value else "",
            "lead_department": self.lead.currentText().strip() if dispatch else "",
            "cooperating_departments": tuple(checked) if dispatch else (),
        }

    def load(self, form: CaseInput) -> None:
        self.group.setExclusive(False)
        for code, button in self.buttons.items():
            button.setChecked(code == form.disposition)
        self.group.setExclusive(True)
        self.answer.setPlainText(form.answer)
        dept = self.city.department_by_name(form.lead_department) if form.lead_department else None
        self.lead.setCurrentText(dept.name if dept else form.lead_department)
        chosen = set(form.cooperating_departments)
        for i in range(self.cooperating.count()):
            item = self.cooperating.item(i)
            on = item.text() in chosen or item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._sync_enabled()

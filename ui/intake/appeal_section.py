"""诉求: channel, appeal type, category, where it happened, what happened, what is asked, urgency."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from contract.case_fields import MAX_LEN, CaseInput
from contract.city.model import City
from contract.enums import AppealType, Channel, Urgency
from ui.common.named import named
from ui.common.texts import label
from ui.intake.caller_section import _row
from ui.intake.category_picker import CategoryPicker
from ui.intake.field_box import FieldBox


def enum_combo(enum_cls: Any, *, placeholder: str = "") -> QComboBox:
    combo = QComboBox()
    if placeholder:
        combo.addItem(placeholder, "")
    for member in enum_cls:
        combo.addItem(label(member), member.value)
    return combo


def set_combo_data(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


class ContentEdit(QWidget):
    """诉求内容 with a live character count; Tab leaves the field instead of typing a tab."""

    def __init__(self) -> None:
        super().__init__()
        self.edit = named(QPlainTextEdit(), "content")
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText(self.tr("记录市民反映的事情经过：时间、地点、人物、问题"))
        self.edit.setMinimumHeight(120)
        self.counter = named(QLabel(), "charCounter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.counter)
        self.edit.textChanged.connect(self._count)
        self._count()

    def _count(self) -> None:
        n = len(self.edit.toPlainText())
        limit = MAX_LEN["content"]
        self.counter.setText(self.tr("%1 / %2 字").replace("%1", str(n)).replace("%2", str(limit)))
        if self.counter.property("over") != (n > limit):
            self.counter.setProperty("over", n > limit)
            self.counter.style().unpolish(self.counter)
            self.counter.style().polish(self.counter)


class AppealSection(QGroupBox):
    """What the citizen reports and where; emits `routing_inputs_changed` when category or urgency change."""

    routing_inputs_changed = Signal()

    def __init__(self, city: City) -> None:
        super().__init__()
        self.setTitle(self.tr("诉求"))
        self.city = city
        self.channel = enum_combo(Channel)
        self.appeal_type = enum_combo(AppealType, placeholder=self.tr("请选择"))
        self.category = CategoryPicker(city.categories.leaves)
        self.district = named(QComboBox(), "district")
        self.district.addItem(self.tr("请选择区县"), "")
        for dist in city.districts.values():
            self.district.addItem(dist.name, dist.id)
        self.street = named(QComboBox(), "street")
        self.address = named(QLineEdit(), "address")
        self.address.setPlaceholderText(self.tr("小区、楼栋、门牌号或路口"))
        self.content = ContentEdit()
        self.request = named(QLineEdit(), "request")
        self.request.setPlaceholderText(self.tr("市民希望解决的结果"))
        self.urgency_group = QButtonGroup(self)
        self.urgency_buttons: dict[str, QRadioButton] = {}
        for member in Urgency:
            button = QRadioButton(label(member))
            self.urgency_group.addButton(button)
            self.urgency_buttons[member.value] = button
        self.urgency_buttons[Urgency.NORMAL.value].setChecked(True)
        self.urgency_reason = named(QLineEdit(), "urgency_reason")
        self.urgency_reason.setPlaceholderText(self.tr("紧急原因（选择紧急时必填）"))
        self.urgency_reason.setEnabled(False)
        self.urgency_buttons[Urgency.URGENT.value].toggled.connect(self.urgency_reason.setEnabled)
        self.urgency_buttons[Urgency.URGENT.value].toggled.connect(self.routing_inputs_changed)
        self.category.textChanged.connect(self.routing_inputs_changed)
        self.district.currentIndexChanged.connect(self._fill_streets)
        self._fill_streets()

        self.fields = {
            "channel": FieldBox(self.channel),
            "appeal_type": FieldBox(self.appeal_type),
            "category": FieldBox(self.category),
            "district": FieldBox(_row(self.district, self.street), self.district),
            "street": FieldBox(QWidget(), self.street),
            "address": FieldBox(self.address),
            "content": FieldBox(self.content, self.content.edit),
            "request": FieldBox(self.request),
            "urgency": FieldBox(_row(*self.urgency_buttons.values(), self.urgency_reason),
                                self.urgency_buttons[Urgency.NORMAL.value]),
        }
        self.fields["urgency_reason"] = FieldBox(QWidget(), self.urgency_reason)
        form = QFormLayout(self)
        form.addRow(self.tr("来源渠道"), _row(self.fields["channel"], QLabel(self.tr("诉求类型")),
                                             self.fields["appeal_type"]))
        form.addRow(self.tr("问题分类"), self.fields["category"])
        form.addRow(self.tr("区县/街道"), self.fields["district"])
        form.addRow("", self.fields["street"])
        form.addRow(self.tr("详细地址"), self.fields["address"])
        form.addRow(self.tr("诉求内容"), self.fields["content"])
        form.addRow(self.tr("诉求要求"), self.fields["request"])
        form.addRow(self.tr("紧急程度"), self.fields["urgency"])
        form.addRow("", self.fields["urgency_reason"])

    def _fill_streets(self) -> None:
        self.street.clear()
        self.street.addItem(self.tr("街道（可选）"), "")
        dist = self.city.districts.get(self.district.currentData() or "")
        for name in dist.streets if dist else ():
            self.street.addItem(name, name)

    def set_district(self, district_id: str) -> None:
        set_combo_data(self.district, district_id)
        self._fill_streets()

    def focus_chain(self) -> list[QWidget]:
        return [self.channel, self.appeal_type, self.category, self.district, self.street, self.address,
                self.content.edit, self.request, *self.urgency_buttons.values(), self.urgency_reason]

    def urgency(self) -> str:
        for code, button in self.urgency_buttons.items():
            if button.isChecked():
                return code
        return Urgency.NORMAL.value

    def values(self) -> dict[str, Any]:
        return {
            "channel": self.channel.currentData(),
            "appeal_type": self.appeal_type.currentData(),
            "category": self.category.path(),
            "district": self.district.currentData() or "",
            "street": self.street.currentData() or "",
            "address": self.address.text(),
            "content": self.content.edit.toPlainText(),
            "request": self.request.text(),
            "urgency": self.urgency(),
            "urgency_reason": self.urgency_reason.text() if self.urgency() == Urgency.URGENT.value else "",
        }

    def load(self, form: CaseInput) -> None:
        set_combo_data(self.channel, form.channel)
        set_combo_data(self.appeal_type, form.appeal_type)
        self.category.set_path(form.category)
        dist = self.city.district_by_name(form.district) if form.district else None
        set_combo_data(self.district, dist.id if dist else "")
        self._fill_streets()
        set_combo_data(self.street, form.street)
        self.address.setText(form.address)
        self.content.edit.setPlainText(form.content)
        self.request.setText(form.request)
        self.urgency_buttons.get(form.urgency, self.urgency_buttons[Urgency.NORMAL.value]).setChecked(True)
        self.urgency_reason.setText(form.urgency_reason)

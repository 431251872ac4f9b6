"""来电人: name (or anonymous), phone (or none), callback number, confidentiality and special needs."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QWidget

from contract.case_fields import MAX_LEN, CaseInput
from contract.enums import PhoneKind, SpecialNeed
from ui.common.named import named
from ui.common.texts import label
from ui.intake.field_box import FieldBox


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box


class CallerSection(QGroupBox):
    """The caller's identity and how to reach them; special-needs callers come first."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("来电人"))
        self.name = named(QLineEdit(), "caller_name")
        self.name.setMaxLength(MAX_LEN["caller_name"] * 4)
        self.name.setPlaceholderText(self.tr("可不填"))
        self.anonymous = QCheckBox(self.tr("匿名"))
        self.confidential = QCheckBox(self.tr("保密"))
        self.confidential.setToolTip(self.tr("来电人要求对其身份信息保密"))
        self.phone = named(QLineEdit(), "phone")
        self.phone.setPlaceholderText(self.tr("手机 13800138000 或 固话 0731-84561234"))
        self.no_number = QCheckBox(self.tr("无号码"))
        self.callback = named(QLineEdit(), "callback_phone")
        self.callback.setPlaceholderText(self.tr("与来电号码不同时填写"))
        self.needs = {need.value: QCheckBox(label(need)) for need in SpecialNeed}
        self.need_other = named(QLineEdit(), "special_needs_other")
        self.need_other.setPlaceholderText(self.tr("其他特殊需求说明"))
        self.need_other.setEnabled(False)
        self.needs[SpecialNeed.OTHER.value].toggled.connect(self.need_other.setEnabled)
        self.no_number.toggled.connect(lambda on: self.phone.setEnabled(not on))
        self.anonymous.toggled.connect(lambda on: self.name.setEnabled(not on))

        self.fields = {
            "caller_name": FieldBox(_row(self.name, self.anonymous, self.confidential), self.name),
            "phone": FieldBox(_row(self.phone, self.no_number), self.phone),
            "callback_phone": FieldBox(self.callback),
            "special_needs_other": FieldBox(_row(*self.needs.values(), self.need_other), self.need_other),
        }
        form = QFormLayout(self)
        form.addRow(self.tr("姓名"), self.fields["caller_name"])
        form.addRow(self.tr("来电号码"), self.fields["phone"])
        form.addRow(self.tr("回访号码"), self.fields["callback_phone"])
        form.addRow(self.tr("特殊需求"), self.fields["special_needs_other"])

    def focus_chain(self) -> list[QWidget]:
        return [self.name, self.anonymous, self.confidential, self.phone, self.no_number, self.callback,
                *self.needs.values(), self.need_other]

    def values(self) -> dict[str, Any]:
        return {
            "caller_name": "" if self.anonymous.isChecked() else self.name.text(),
            "anonymous": self.anonymous.isChecked(),
            "phone_kind": PhoneKind.NONE.value if self.no_number.isChecked() else PhoneKind.NUMBER.value,
            "phone": "" if self.no_number.isChecked() else self.phone.text(),
            "callback_phone": self.callback.text(),
            "confidential": self.confidential.isChecked(),
            "special_needs": tuple(code for code, box in self.needs.items() if box.isChecked()),
            "special_needs_other": self.need_other.text() if self.need_other.isEnabled() else "",
        }

    def load(self, form: CaseInput) -> None:
        self.name.setText(form.caller_name)
        self.anonymous.setChecked(form.anonymous)
        self.no_number.setChecked(form.phone_kind == PhoneKind.NONE.value)
        self.phone.setText(form.phone)
        self.callback.setText(form.callback_phone)
        self.confidential.setChecked(form.confidential)
        for code, box in self.needs.items():
            box.setChecked(code in form.special_needs)
        self.need_other.setText(form.special_needs_other)

"""Chinese texts that come from the core (enum labels, validation messages) pass through tr() here."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from contract.enums import LabeledEnum


def tr_core(text: str) -> str:
    """Translate a message produced by the core; its source text is the Chinese shown by default."""
    return QCoreApplication.translate("core", text)


def label(member: LabeledEnum) -> str:
    return tr_core(member.label)


def label_of(enum_cls: type[LabeledEnum], code: str) -> str:
    member = enum_cls.parse(code)
    return label(member) if member is not None else code

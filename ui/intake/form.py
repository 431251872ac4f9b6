"""The case form (工单受理) composed of its sections; reads and loads a CaseInput and shows errors at fields.

Handling time (recorded with each case, averaged in the team lead's KPIs) runs from the first edit of a case to
its submission: the desk keeps the form open between calls, so opening it says nothing about when work started.
A draft restored after a restart starts its clock at the next edit (the time before the restart is not known).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from contract.case_fields import CaseInput
from contract.city.model import City
from operator_app.errors import ValidationErrors
from ui.common.named import named
from ui.common.texts import tr_core
from ui.intake.appeal_section import AppealSection
from ui.intake.caller_section import CallerSection
from ui.intake.disposition_section import DispositionSection
from ui.intake.field_box import FieldBox

clock = time.monotonic  # the handling clock (a module attribute, so a test can set the time)


class CaseForm(QWidget):
    """Emits `edited` on every change (for the draft) and `submit_requested` on the submit key."""

    edited = Signal()
    submit_requested = Signal()

    def __init__(self, city: City) -> None:
        super().__init__()
        self.caller = CallerSection()
        self.appeal = AppealSection(city)
        self.disposition = DispositionSection(city)
        self.fields: dict[str, FieldBox] = {**self.caller.fields, **self.appeal.fields, **self.disposition.fields}
        self.summary = named(QLabel(), "formSummary")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.banner = named(QLabel(), "correctionBanner")  # what is being corrected, and why
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { color: #e65100; background: #fff3e0; border: 1px solid #ffb74d;"
                                  " padding: 4px; font-weight: bold; }")
        self.banner.hide()
        self._started: float | None = None  # time.monotonic() of the case's first edit
        self.submit_button = named(QPushButton(self.tr("提交工单 (Ctrl+Enter)")), "submitButton")
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit_requested)
        self.clear_button = QPushButton(self.tr("清空 (Ctrl+N)"))
        self.clear_button.setAutoDefault(False)

        inner = QWidget()
        grid = QGridLayout(inner)
        grid.addWidget(self.caller, 0, 0)
        grid.addWidget(self.disposition, 1, 0)
        grid.addWidget(self.appeal, 0, 1, 2, 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        self._chain = [*self.caller.focus_chain(), *self.appeal.focus_chain(), *self.disposition.focus_chain(),
                       self.clear_button, self.submit_button]
        for a, b in zip(self._chain, self._chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._connect_edits()
        self._connect_error_clearing()
        self.edited.connect(self._start_clock)
        self.appeal.routing_inputs_changed.connect(self.refresh_deadline)
        for button in self.disposition.buttons.values():
            button.toggled.connect(self.refresh_deadline)
        self.refresh_deadline()

    def _connect_edits(self) -> None:
        for widget in self._chain:
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self.edited)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.edited)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.edited)
                if widget.isEditable():
                    widget.editTextChanged.connect(self.edited)
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                widget.toggled.connect(self.edited)
            elif isinstance(widget, QListWidget):
                widget.itemChanged.connect(self.edited)

    def _connect_error_clearing(self) -> None:
        """A field's error goes as soon as its value changes (typed, picked or filled in by a suggestion)."""
        for widget in self._chain:
            boxes = [b for b in self.fields.values() if b.focus_target is widget or b.isAncestorOf(widget)]
            if not boxes:
                continue

            def clear(*_args: object, boxes: list[FieldBox] = boxes) -> None:
                for box in boxes:
                    box.clear_error()

            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.textChanged.connect(clear)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(clear)
                if widget.isEditable():
                    widget.editTextChanged.connect(clear)
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                widget.toggled.connect(clear)
            elif isinstance(widget, QListWidget):
                widget.itemChanged.connect(clear)

    def _start_clock(self) -> None:
        if self._started is None:
            self._started = clock()

    def handling_seconds(self) -> float:
        """Seconds since the case's first edit (0 before any)."""
        return 0.0 if self._started is None else clock() - self._started

    def set_banner(self, text: str | None) -> None:
        """Show (or, with None, hide) the line above the form that says which case is being corrected."""
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def refresh_deadline(self) -> None:
        self.disposition.update_deadline(category=self.appeal.category.path(), urgency=self.appeal.urgency())

    def form_input(self) -> CaseInput:
        """Everything typed so far, as the core's input type."""
        return CaseInput(**self.caller.values(), **self.appeal.values(), **self.disposition.values())

    def load(self, form: CaseInput) -> None:
        """Fill the form (a restored draft) without emitting `edited`."""
        blockers = [QSignalBlocker(w) for w in self._chain]
        try:
            self.caller.load(form)
            self.appeal.load(form)
            self.disposition.load(form)
        finally:
            del blockers
        self.appeal.content._count()
        self.refresh_deadline()

    def clear(self) -> None:
        """An empty form for the next case: its handling clock starts at the first edit."""
        self.load(CaseInput())
        self._started = None
        self.set_banner(None)
        self.show_errors(None)
        self.caller.phone.setFocus()

    def show_errors(self, errors: ValidationErrors | None) -> None:
        """Put each message at its field and focus the first one; None clears them all."""
        by_field = errors.by_field() if errors else {}
        for name, box in self.fields.items():
            err = by_field.get(name)
            box.set_error(tr_core(err.message) if err else "")
        first = next((self.fields[f] for f in by_field if f in self.fields), None)
        unplaced = [e for f, e in by_field.items() if f not in self.fields]
        if by_field:
            text = self.tr("有 %1 处需要修改，已定位到第一处").replace("%1", str(len(by_field)))
            if unplaced:
                text += "：" + "；".join(tr_core(e.message) for e in unplaced)
            self.summary.setText(text)
            self.summary.show()
        else:
            self.summary.hide()
        if first is not None:
            first.focus_target.setFocus()

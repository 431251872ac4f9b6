"""回访: the due callbacks (special-needs citizens first, then the oldest due; phones masked), claimed with Enter or a
double click; the case's content and the department's reply; 查看号码 for the number to dial (the server audits
it); the result with a key (1 满意, 2 基本满意, 3 不满意 with the citizen's reason, 4 无法联系) and a note, sent
with Alt+S. Everything lives on the central server: offline, the page says so and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.callbacks.errors import callback_error_text
from ui.common.named import named
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager
from ui.common.times import shown_time

Api = Callable[..., Any]
RESULTS = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
COLUMNS = ("特殊需求", "应回访", "工单编号", "问题分类", "来电号码", "已尝试", "回访人")


class CallbackPage(QWidget):
    """`loaded` after each queue answer is in the table; `recorded` after a result was accepted (its answer)."""

    loaded = Signal()
    recorded = Signal(dict)

    def __init__(self, *, api: Api, tasks: TaskManager, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callbackPage")
        self.api, self.tasks, self.tz = api, tasks, tz
        self.rows: list[dict[str, Any]] = []
        self.claimed: dict[str, Any] | None = None  # the row this operator holds
        self.labels = {"satisfied": self.tr("满意"), "basically_satisfied": self.tr("基本满意"),
                       "dissatisfied": self.tr("不满意"), "unreachable": self.tr("无法联系")}

        self.status = named(QLabel(), "callbackStatus")
        self.refresh_button = named(QPushButton(self.tr("刷新 (F5)")), "callbackRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        title = QLabel(self.tr("回访队列：特殊需求市民优先，其次按应回访时间。选中后按 Enter 领取。"))
        title.setWordWrap(True)
        top.addWidget(title, 1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)

        self.table = named(read_only_table([self.tr(c) for c in COLUMNS], stretch=3), "callbackTable")
        self.table.doubleClicked.connect(lambda _index: self.claim())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.claim)

        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(self._detail(), 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        QShortcut(QKeySequence("F5"), self, self.refresh).setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for n, code in enumerate(RESULTS, start=1):
            # A plain digit: the note box takes it as text while it has the focus, everywhere else it picks.
            pick = QShortcut(QKeySequence(str(n)), self)
            pick.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            pick.activated.connect(lambda code=code: self.pick(code))
        self._show_claim(None)

    def _detail(self) -> QWidget:
        box = named(QGroupBox(self.tr("回访")), "callbackDetail")
        form = QFormLayout()
        self.number = named(QLabel("—"), "callbackNumber")
        self.content = named(QLabel(), "callbackContent")
        self.department = named(QLabel(), "callbackDepartment")
        self.reply = named(QLabel(), "callbackReply")
        for label in (self.content, self.reply):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.phone = named(QLabel(), "callbackPhone")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reveal_button = named(QPushButton(self.tr("查看号码(&V)")), "callbackReveal")
        self.reveal_button.setToolTip(self.tr("显示完整号码以便拨打；中心服务器会记录这次查看（不记录号码本身）"))
        self.reveal_button.clicked.connect(self.reveal)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone, 1)
        phone_row.addWidget(self.reveal_button)
        form.addRow(self.tr("工单编号"), self.number)
        form.addRow(self.tr("诉求内容"), self.content)
        form.addRow(self.tr("承办单位"), self.department)
        form.addRow(self.tr("承办单位答复"), self.reply)
        form.addRow(self.tr("回访电话"), phone_row)

        self.result_group = QButtonGroup(self)
        self.result_buttons: dict[str, QRadioButton] = {}
        choices = QHBoxLayout()
        for n, code in enumerate(RESULTS, start=1):
            button = named(QRadioButton(f"{n} {self.labels[code]}"), f"callbackResult_{code}")
            self.result_group.addButton(button)
            self.result_buttons[code] = button
            choices.addWidget(button)
        form.addRow(self.tr("回访结果"), choices)
        self.note = named(QPlainTextEdit(), "callbackNote")
        self.note.setPlaceholderText(self.tr("备注；不满意时必填市民的原因（将随工单退回承办单位重办）"))
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        form.addRow(self.tr("备注"), self.note)
        self.submit_button = named(QPushButton(self.tr("提交回访结果(&S)")), "callbackSubmit")
        self.submit_button.clicked.connect(self.submit)
        self.message = named(QLabel(), "callbackMessage")
        self.message.setWordWrap(True)
        outer = QVBoxLayout(box)
        outer.addLayout(form)
        outer.addWidget(self.submit_button)
        outer.addWidget(self.message)
        outer.addStretch(1)
        return box

    # the queue

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Each time the tab is shown the queue is read again: callbacks fall due while the operator takes calls."""
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.tasks.network(lambda: self.api("GET", "/api/v1/callbacks/queue"), self._show, self._failed)

    def _show(self, answer: dict[str, Any]) -> None:
        chosen = self.selected_number()
        self.rows = list(answer.get("rows") or [])
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            needs = "、".join(row.get("special_needs") or [])
            values = (f"★ {needs}" if needs else "", shown_time(row.get("due_at"), self.tz), row["number"],
                      row.get("category", ""), row.get("phone", ""), str(row.get("attempts", 0)),
                      row.get("claimed_by") or "")
            for column, value in enumerate(values):
                self.table.setItem(i, column, QTableWidgetItem(value))
            if row["number"] == chosen:
                self.table.selectRow(i)
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self.status.setText(self.tr("待回访 %1 件").replace("%1", str(len(self.rows))))
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(callback_error_text(self, exc))
        self.loaded.emit()

    def selected_number(self) -> str | None:
        row = self.table.currentRow()
        return self.rows[row]["number"] if 0 <= row < len(self.rows) else None

    # claiming and calling

    def claim(self) -> None:
        number = self.selected_number()
        if number is None:
            return
        row = next(r for r in self.rows if r["number"] == number)
        self.tasks.network(lambda: self.api("POST", f"/api/v1/callbacks/{number}/claim"),
                           lambda _answer: self._claimed(row), self._failed)

    def _claimed(self, row: dict[str, Any]) -> None:
        self._show_claim(row)
        self.message.setText(self.tr("已领取，请拨打市民电话。按 1–4 选择结果，Alt+S 提交。"))
        self.result_buttons["satisfied"].setFocus()
        self.refresh()  # the table shows who holds it

    def _show_claim(self, row: dict[str, Any] | None) -> None:
        self.claimed = row
        held = row is not None
        needs = "、".join(row.get("special_needs") or []) if row else ""
        # the citizen's special needs beside the number: the operator adapts the call (an elderly caller, a dialect)
        self.number.setText((row["number"] + (f"　★ {needs}" if needs else "")) if row else "—")
        self.content.setText(row.get("content", "") if row else self.tr("在左侧选中一张工单，按 Enter 领取。"))
        self.department.setText(row.get("department", "") if row else "")
        self.reply.setText((row.get("reply") or self.tr("（承办单位未填写）")) if row else "")
        self.phone.setText(row.get("phone", "") if row else "")
        self.result_group.setExclusive(False)
        for button in self.result_buttons.values():
            button.setChecked(False)
            button.setEnabled(held)
        self.result_group.setExclusive(True)
        self.note.clear()
        for widget in (self.note, self.submit_button, self.reveal_button):
            widget.setEnabled(held)

    def reveal(self) -> None:
        if self.claimed is None:
            return
        number = self.claimed["number"]
        self.tasks.network(lambda: self.api("POST", f"/api/v1/callbacks/{number}/reveal"),
                           lambda answer: self.phone.setText(str(answer["phone"])), self._failed)

    def pick(self, code: str) -> None:
        if self.claimed is None:
            self.message.setText(self.tr("请先选中一张工单并按 Enter 领取。"))
            return
        self.result_buttons[code].setChecked(True)
        self.note.setFocus()
        if code == "dissatisfied":
            self.message.setText(self.tr("请在备注中填写市民不满意的原因，Alt+S 提交。"))

    def chosen_result(self) -> str | None:
        return next((code for code, button in self.result_buttons.items() if button.isChecked()), None)

    def submit(self) -> None:
        if self.claimed is None:
            return
        result, note = self.chosen_result(), self.note.toPlainText().strip()
        if result is None:
            self.message.setText(self.tr("请选择回访结果（1 满意、2 基本满意、3 不满意、4 无法联系）。"))
            return
        if result == "dissatisfied" and len(note) < 2:
            self.message.setText(self.tr("不满意时请填写市民的原因（至少两个字）。"))
            self.note.setFocus()
            return
        number = self.claimed["number"]
        body = {"result": result, "note": note}
        self.submit_button.setEnabled(False)
        self.tasks.network(lambda: self.api("POST", f"/api/v1/callbacks/{number}/result", json_body=body),
                           lambda answer: self._recorded(number, result, answer), self._submit_failed)

    def _submit_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(self.claimed is not None)
        self._failed(exc)

    def _recorded(self, number: str, result: str, answer: dict[str, Any]) -> None:
        self._show_claim(None)
        label = self.labels[result]
        if result == "dissatisfied":
            text = self.tr("%1：已记录不满意，工单已退回承办单位重办，新的办结时限 %2。") \
                .replace("%2", shown_time(answer.get("finish_by"), self.tz))
        elif not answer.get("final"):
            text = self.tr("%1：已记录无法联系，%2 后重新进入回访队列。") \
                .replace("%2", shown_time(answer.get("due_at"), self.tz))
        else:
            text = self.tr("%1：已记录%2。").replace("%2", label)
        self.message.setText(text.replace("%1", number))
        self.recorded.emit(answer)
        self.table.setFocus()
        self.refresh()

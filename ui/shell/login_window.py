"""登录: pick yourself from the city's roster by work number; no password is stored anywhere."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from contract.roles import Role
from ui.common.named import named
from ui.common.texts import label_of


class LoginWindow(QDialog):
    """Emits `login_requested(operator_id)`; the owner does the login and calls `show_error` on failure."""

    login_requested = Signal(str, str)  # operator id, password

    def __init__(self, city: City, *, seat_code: str, server: str = "", demo_password: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.city = city
        self.setWindowTitle(self.tr("12345 坐席工作台 — 登录"))
        title = named(QLabel(self.tr("%1 12345 市民热线").replace("%1", city.name)), "loginTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.work_number = named(QLineEdit(), "workNumber")
        self.work_number.setPlaceholderText(self.tr("输入工号或姓名"))
        entries = [f"{op.id} {op.name}" for op in city.roster.values()]
        self._entries = QStringListModel(entries, self)
        completer = QCompleter(self._entries, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.work_number.setCompleter(completer)
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("中心服务器密码"))
        self.password.returnPressed.connect(self._submit)
        self.who = named(QLabel(), "loginWho")
        self.error = named(QLabel(), "fieldError")
        self.error.setWordWrap(True)
        self.button = named(QPushButton(self.tr("登录 (Enter)")), "loginButton")
        self.button.setAutoDefault(False)  # Enter is handled per field: work number → password → login
        self.button.clicked.connect(self._submit)
        self.work_number.textChanged.connect(self._preview)
        self.work_number.returnPressed.connect(self._next_field)
        seat = QLabel(self.tr("席位 %1").replace("%1", seat_code))
        self.queue = named(QLabel(), "loginQueue")
        self.note = named(QLabel(), "loginNote")
        self.note.setWordWrap(True)
        self.note.hide()
        form = QFormLayout()
        form.addRow(self.tr("工号"), self.work_number)
        form.addRow("", self.who)
        form.addRow(self.tr("密码"), self.password)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        layout.addWidget(seat)
        layout.addWidget(self.queue)
        layout.addWidget(self.note)
        if server:
            layout.addWidget(QLabel(self.tr("中心服务器：%1").replace("%1", server)))
        if demo_password:
            hint = named(QLabel(self.tr("演示账号：%1 …（密码均为 %2）").replace("%1", "、".join(entries[:4]))
                          .replace("%2", demo_password)), "demoHint")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        for field in (self.work_number, self.password):  # never squeezed below one line of text
            field.setMinimumHeight(field.sizeHint().height())
            field.setMinimumWidth(260)
        # Wrapped labels (note, error, hint) need more height for the same width: the window grows to fit them
        # instead of taking the height from the fields.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(460)

    def _fit(self) -> None:
        if self.isVisible():
            self._layout.activate()
            self.adjustSize()

    def show_note(self, text: str) -> None:
        """A standing remark under the form (e.g. secrets kept in memory only on this machine)."""
        self.note.setText(text)
        self.note.show()
        self._fit()

    def show_pending(self, pending: int) -> None:
        self.queue.setText(self.tr("本席位待同步 %1 条（交班后仍保留，归属原话务员）").replace("%1", str(pending)))

    def operator(self) -> Operator | None:
        text = self.work_number.text().strip()
        key = text.split(" ", 1)[0]
        if key in self.city.roster:
            return self.city.roster[key]
        matches = [op for op in self.city.roster.values() if op.name == text]
        return matches[0] if len(matches) == 1 else None

    def _next_field(self) -> None:
        if self.operator() is not None:
            self.password.setFocus()
        else:
            self._submit()

    def _preview(self) -> None:
        op = self.operator()
        self.error.clear()
        if op is None:
            self.who.clear()
        else:
            role = label_of(Role, op.role)
            self.who.setText(f"{op.name} · {role}" + (f" · {op.team}" if op.team else ""))

    def _submit(self) -> None:
        op = self.operator()
        if op is None:
            text = self.work_number.text().strip()
            self.show_error(self.tr("请输入工号") if not text else
                            self.tr("工号“%1”不在本市话务员名册中，请核对").replace("%1", text))
            return
        if not self.password.text():
            self.error.setText(self.tr("请输入密码"))
            self.password.setFocus()
            return
        self.set_busy(True)
        self.login_requested.emit(op.id, self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText(self.tr("正在登录…") if busy else self.tr("登录 (Enter)"))

    def show_error(self, message: str, *, field: str = "work_number") -> None:
        self.set_busy(False)
        self.error.setText(message)
        self._fit()
        if field == "password":
            self.password.setFocus()
            self.password.selectAll()
            return
        self.work_number.setFocus()
        self.work_number.selectAll()

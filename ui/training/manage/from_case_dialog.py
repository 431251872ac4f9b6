"""从真实工单生成: the trainer types a case number, the central server makes a draft scenario from that case with the
personal data replaced by placeholders, and this dialog shows every replacement highlighted in its line (what kind
of data, which placeholder; never the original) and listed, so the trainer reviews it before it opens in the editor
as a new draft."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.training.manage import keys
from ui.training.manage.texts import REPLACED, label, practice_error_text

Api = Callable[..., Any]
BASE = "/api/v1/practice"
OPEN = "Ctrl+Return"
MARK = "background-color:#ffe08a;color:#5a3d00;font-weight:bold"


def marked_line(text: str, spans: list[dict[str, Any]]) -> str:
    """The line as HTML with each replaced span highlighted and titled with its kind (offsets into `text`)."""
    out, at = [], 0
    for span in sorted(spans, key=lambda s: int(s.get("start", 0))):
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        if not at <= start <= end <= len(text):
            continue  # an offset that does not fit this line is listed below, not drawn
        kind = label(REPLACED, str(span.get("kind", "")))
        out.append(html.escape(text[at:start]))
        out.append(f'<span style="{MARK}" title="{html.escape(kind)}">{html.escape(text[start:end])}</span>'
                   f'<sup style="color:#8a5a00">{html.escape(kind)}</sup>')
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


class FromCaseDialog(QDialog):
    """`accepted_draft(draft)` when the trainer opens the reviewed draft in the editor."""

    accepted_draft = Signal(object)

    def __init__(self, *, api: Api, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks = api, tasks
        self.draft: dict[str, Any] | None = None
        self.replacements: list[dict[str, Any]] = []
        self.setWindowTitle(self.tr("从真实工单生成练习场景"))
        layout = QVBoxLayout(self)
        ask = QHBoxLayout()
        ask.addWidget(QLabel(self.tr("工单编号")))
        self.number = named(QLineEdit(), "caseNumber")
        self.number.setPlaceholderText(self.tr("如 S001-20261201-0007，回车生成"))
        self.number.returnPressed.connect(self.generate)
        ask.addWidget(self.number, 1)
        self.generate_button = QPushButton(self.tr("生成（回车）"))
        self.generate_button.setAutoDefault(False)
        self.generate_button.clicked.connect(self.generate)
        ask.addWidget(self.generate_button)
        layout.addLayout(ask)
        layout.addWidget(named(QLabel(self.tr("姓名、电话、证件号、车牌号、门牌号等已替换为占位符（黄色标出）。"
                                              "请逐句核对，确认没有遗漏的个人信息后再打开编辑。")), "fromCaseHint"))
        body = QHBoxLayout()
        self.preview = named(QTextBrowser(), "fromCaseLines")
        body.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.addWidget(QLabel(self.tr("已替换的内容")))
        self.replaced = named(QListWidget(), "fromCaseReplacements")
        side.addWidget(self.replaced, 1)
        body.addLayout(side, 2)
        layout.addLayout(body, 1)
        bottom = QHBoxLayout()
        self.message = named(QLabel(), "fromCaseMessage")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        self.open_button = keys.action_button(self, self.tr("核对无误，打开编辑"), OPEN, self.open_in_editor)
        self.open_button.setEnabled(False)
        self.open_button.setAutoDefault(False)
        close = QPushButton(self.tr("关闭（Esc）"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom.addWidget(self.open_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.resize(980, 560)

    def generate(self) -> None:
        number = self.number.text().strip()
        if not number:
            self.message.setText(self.tr("请输入工单编号。"))
            return
        api = self.api
        self.message.setText(self.tr("正在生成……"))
        self.generate_button.setEnabled(False)
        self.tasks.network(lambda: api("POST", f"{BASE}/scenarios/from-case", json_body={"number": number}),
                           self._generated, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self.message.setText(practice_error_text(exc))

    def _generated(self, answer: dict[str, Any]) -> None:
        self.generate_button.setEnabled(True)
        draft = answer.get("draft") if isinstance(answer, dict) else None
        if not isinstance(draft, dict):
            self.message.setText(self.tr("中心服务器的回答不完整，请重试。"))
            return
        self.draft = draft
        self.replacements = [r for r in answer.get("replacements", []) if isinstance(r, dict)]
        self._show()
        self.open_button.setEnabled(True)
        self.open_button.setFocus()

    def _show(self) -> None:
        assert self.draft is not None
        lines = [ln.get("text", "") if isinstance(ln, dict) else str(ln) for ln in self.draft.get("lines", [])]
        by_line: dict[int, list[dict[str, Any]]] = {}
        for rep in self.replacements:
            by_line.setdefault(int(rep.get("line", -1)), []).append(rep)
        caller = self.draft.get("caller", {}) if isinstance(self.draft.get("caller"), dict) else {}
        parts = [f"<p><b>{html.escape(self.tr('标题'))}</b>：{html.escape(str(self.draft.get('title', '')))}</p>",
                 f"<p><b>{html.escape(self.tr('来电人（虚构）'))}</b>：{html.escape(str(caller.get('name', '')))}"
                 f"　{html.escape(str(caller.get('phone', '')))}</p><ol>"]
        parts += [f"<li>{marked_line(str(text), by_line.get(i, []))}</li>" for i, text in enumerate(lines)]
        parts.append("</ol>")
        self.preview.setHtml("".join(parts))
        self.replaced.clear()
        for rep in sorted(self.replacements, key=lambda r: (int(r.get("line", 0)), int(r.get("start", 0)))):
            self.replaced.addItem(self.tr("第 %1 句：%2 → %3").replace("%1", str(int(rep.get("line", 0)) + 1))
                                  .replace("%2", label(REPLACED, str(rep.get("kind", ""))))
                                  .replace("%3", str(rep.get("placeholder", ""))))
        if self.replacements:
            self.message.setText(self.tr("替换了 %1 处个人信息。").replace("%1", str(len(self.replacements))))
        else:
            self.message.setText(self.tr("没有发现需要替换的个人信息，请仍然逐句核对。"))

    def open_in_editor(self) -> None:
        if self.draft is None:
            return
        draft = {**self.draft, "id": "", "version": 1, "source": "case"}
        self.accept()
        self.accepted_draft.emit(draft)

"""督办 a hot spot: the reason is required (at least two characters), as on the server."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

MIN_REASON = 2
MAX_REASON = 500


class SuperviseDialog(QDialog):
    def __init__(self, place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("督办热点"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("将对热点“%1”的全部在办工单加督办（已办结的不加）。请填写督办原因：").replace("%1", place))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(self.tr("例如：同一小区一个月内反复投诉，请承办单位加快处置"))
        self.reason.setFixedHeight(90)
        layout.addWidget(self.reason)
        self.hint = QLabel()
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("督办"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._check)
        self._check()

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def _check(self) -> None:
        n = len(self.text())
        ok = MIN_REASON <= n <= MAX_REASON
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if n < MIN_REASON:
            self.hint.setText(self.tr("督办原因至少 %1 个字。").replace("%1", str(MIN_REASON)))
        elif n > MAX_REASON:
            self.hint.setText(self.tr("督办原因最多 %1 个字（现在 %2 个）。").replace("%1", str(MAX_REASON))
                              .replace("%2", str(n)))
        else:
            self.hint.setText("")

"""文章详情: one knowledge-base article with its facts (version, owner, dates; expired flagged) and its body as
Markdown. F6 or 引用到答复 puts its answer into the case; 有帮助 / 已过时 / 有错误 send feedback to the editors.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from contract.names import KB_VERDICTS
from ui.common import shortcuts as keys
from ui.common.named import named

if TYPE_CHECKING:
    from knowledge_base import Article


def _date(dt: datetime | None, *, with_time: bool = False) -> str:
    if dt is None:
        return ""
    return dt.strftime("%Y-%m-%d %H:%M" if with_time and (dt.hour or dt.minute) else "%Y-%m-%d")


class ArticleViewer(QDialog):
    """Emits `cite_requested(Article)` and `feedback_requested(Article, verdict, comment)`; Esc closes."""

    cite_requested = Signal(object)
    feedback_requested = Signal(object, str, str)

    def __init__(self, article: Article, parent: QWidget | None = None, *, now: datetime | None = None) -> None:
        super().__init__(parent)
        self.article = article
        now = now or datetime.now()
        self.expired = article.is_expired(now)
        self.setWindowTitle(self.tr("知识库文章 — %1").replace("%1", article.title))
        self.setObjectName("kbViewer")
        title = named(QLabel(article.title), "kbArticleTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = named(QLabel(), "kbExpiredBanner")
        self.banner.setWordWrap(True)
        if self.expired:
            self.banner.setText(self.tr("【已过期】本文已于 %1 失效，内容可能不再适用，请核实后再答复")
                                .replace("%1", _date(article.expires_at)))
        self.banner.setVisible(self.expired)
        facts = QFormLayout()
        facts.setHorizontalSpacing(12)
        facts.setVerticalSpacing(2)
        rows = [
            (self.tr("分类"), article.category.replace("/", " / ") or self.tr("（未分类）")),
            (self.tr("承办单位"), "、".join(article.departments) or self.tr("（未注明）")),
            (self.tr("版本"), self.tr("第%1版").replace("%1", str(article.version or 1))),
            (self.tr("负责人"), article.owner or self.tr("（未注明）")),
            (self.tr("有效期"), self._validity()),
            (self.tr("更新时间"), _date(article.updated_at, with_time=True) or self.tr("（未注明）")),
        ]
        self.fact_labels: dict[str, QLabel] = {}
        for name, value in rows:
            label = named(QLabel(value), "kbFact")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[name] = label
            facts.addRow(name + "：", label)
        if self.expired:
            self.fact_labels[self.tr("有效期")].setProperty("expired", True)
        self.body = named(QTextBrowser(), "kbArticleBody")
        self.body.setOpenLinks(False)
        self.body.setOpenExternalLinks(False)
        features = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML
        self.body.document().setMarkdown(article.body, features)
        self.cite_button = named(QPushButton(self.tr("引用到答复 (F6)")), "kbCite")
        self.cite_button.setAutoDefault(False)
        self.cite_button.clicked.connect(self.cite)
        QShortcut(QKeySequence(keys.KB_CITE), self).activated.connect(self.cite)

        self.comment = named(QLineEdit(), "kbFeedbackComment")
        self.comment.setPlaceholderText(self.tr("补充说明（可选）：哪里过时或有误"))
        self.comment.setMaxLength(500)
        self.feedback_buttons: dict[str, QPushButton] = {}
        feedback = QHBoxLayout()
        feedback.addWidget(QLabel(self.tr("反馈：")))
        for verdict, text in zip(KB_VERDICTS, (self.tr("有帮助"), self.tr("已过时"), self.tr("有错误")), strict=True):
            button = named(QPushButton(text), f"kbFeedback_{verdict}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, v=verdict: self._feedback(v))
            self.feedback_buttons[verdict] = button
            feedback.addWidget(button)
        feedback.addWidget(self.comment, 1)
        self.feedback_status = named(QLabel(), "kbFeedbackStatus")
        close = QPushButton(self.tr("关闭 (Esc)"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.feedback_status, 1)
        actions.addWidget(self.cite_button)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(facts)
        layout.addWidget(self.body, 1)
        layout.addLayout(feedback)
        layout.addLayout(actions)
        self.resize(640, 560)
        self.body.setFocus()

    def _validity(self) -> str:
        a = self.article
        start = _date(a.effective_from) or self.tr("不限")
        end = _date(a.expires_at) or self.tr("长期有效")
        text = f"{start} ～ {end}"
        return text + self.tr("（已过期）") if self.expired else text

    def cite(self) -> None:
        self.cite_requested.emit(self.article)

    def _feedback(self, verdict: str) -> None:
        for button in self.feedback_buttons.values():
            button.setEnabled(False)
        self.feedback_status.setText(self.tr("正在提交反馈…"))
        self.feedback_requested.emit(self.article, verdict, self.comment.text().strip())

    def feedback_done(self, ok: bool, message: str) -> None:
        """The writer thread answered: confirm, or let the operator try again."""
        self.feedback_status.setText(message)
        if not ok:
            for button in self.feedback_buttons.values():
                button.setEnabled(True)

"""The result of one practice attempt: each skill right or wrong with its points, the trainee's answer and the
right one in names (the category path as the form shows it, department and district names, enum labels), the
article that answers the call, the time taken against the limit, and the total. Enter: next scenario (or, on the
article's button, open the article); Esc: close."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City
from contract.enums import AppealType, Disposition, SpecialNeed, Urgency
from contract.practice.scenario import Scenario
from contract.practice.scoring import FieldScore, Score
from ui.common.named import named
from ui.common.texts import label_of, tr_core
from ui.intake.category_picker import display_path
from ui.training.practice.timer import mmss

RIGHT, WRONG = "✓", "✗"
_ENUMS = {"appeal_type": AppealType, "urgency": Urgency, "disposition": Disposition}


@dataclass(frozen=True)
class AttemptOutcome:
    """What the window hands the view: the scored attempt and how it was played. `number` is None in a preview
    (nothing saved); `article_titles` maps article ids to titles where the knowledge base has them."""

    scenario: Scenario
    score: Score
    number: str | None
    limit_seconds: int
    article_titles: dict[str, str]
    timed_out: bool = False


def named_value(skill: str, code: str, city: City, titles: dict[str, str] | None = None) -> str:
    """A FieldScore's expected/given code as the trainee reads it."""
    if skill == "category":
        return display_path(code) if code else ""
    if skill in ("lead_department", "cooperating_departments"):
        return "、".join(city.departments[c].name if c in city.departments else c for c in code.split("、") if c)
    if skill == "district":
        return city.districts[code].name if code in city.districts else code
    if skill in _ENUMS:
        return label_of(_ENUMS[skill], code) if code else ""
    if skill == "special_needs":
        return "、".join(label_of(SpecialNeed, c) for c in code.split("、") if c)
    if skill == "citation":
        return "、".join(f"《{titles[c]}》" if titles and c in titles else c for c in code.split("、") if c)
    return code


class ResultView(QWidget):
    """Emits `next_requested`, `close_requested` and `article_requested(article_id)`."""

    next_requested = Signal()
    close_requested = Signal()
    article_requested = Signal(str)

    def __init__(self, city: City, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "practiceResult")
        self.city = city
        self.outcome: AttemptOutcome | None = None
        self.heading = named(QLabel(), "resultHeading")
        self.heading.setWordWrap(True)
        self.total = named(QLabel(), "resultTotal")
        self.time = named(QLabel(), "resultTime")
        self.table = named(QTableWidget(0, 5), "resultTable")
        self.table.setHorizontalHeaderLabels([self.tr("项目"), self.tr("结果"), self.tr("得分"), self.tr("你的答案"),
                                              self.tr("正确答案")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                      + (QHeaderView.ResizeMode.Stretch,) * 2):
            header.setSectionResizeMode(column, mode)
        self.article = named(QLabel(), "resultArticle")
        self.article.setWordWrap(True)
        self.article_button = named(QPushButton(self.tr("查看文章")), "resultOpenArticle")
        self.article_button.clicked.connect(self._open_article)
        self.next_button = named(QPushButton(self.tr("下一题 (Enter)")), "resultNext")
        self.next_button.clicked.connect(self.next_requested)
        self.close_button = QPushButton(self.tr("结束练习 (Esc)"))
        self.close_button.clicked.connect(self.close_requested)
        for button in (self.article_button, self.next_button, self.close_button):
            button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.time)
        top.addWidget(self.total)
        article_row = QHBoxLayout()
        article_row.addWidget(self.article, 1)
        article_row.addWidget(self.article_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(article_row)
        layout.addLayout(buttons)

    def show_outcome(self, outcome: AttemptOutcome, *, has_next: bool) -> None:
        self.outcome = outcome
        score, scenario = outcome.score, outcome.scenario
        heading = self.tr("《%1》的评分").replace("%1", scenario.title)
        if outcome.number:
            heading += self.tr("　练习编号 %1").replace("%1", outcome.number)
        else:
            heading += self.tr("　（预览：不保存、不上传）")
        if outcome.timed_out:
            heading += self.tr("　时间到，已按当时填写的内容提交")
        self.heading.setText(heading)
        self.total.setText(self.tr("总分 %1").replace("%1", f"{score.total:g}"))
        self.time.setText(self.tr("用时 %1 / 限时 %2").replace("%1", mmss(score.seconds))
                          .replace("%2", mmss(outcome.limit_seconds)))
        self.time.setStyleSheet("color: #c62828;" if score.over_time else "")
        self.table.setRowCount(len(score.fields))
        for row, field in enumerate(score.fields):
            self._fill(row, field, outcome.article_titles)
        self.table.resizeRowsToContents()
        article_id = scenario.key.kb_article
        if article_id:
            title = outcome.article_titles.get(article_id)
            self.article.setText(self.tr("答复依据：《%1》").replace("%1", title) if title
                                 else self.tr("答复依据：知识库文章 %1（本机知识库中暂无）").replace("%1", article_id))
        self.article.setVisible(bool(article_id))
        self.article_button.setVisible(bool(article_id))
        self.next_button.setText(self.tr("下一题 (Enter)") if has_next else self.tr("再练一次 (Enter)"))
        self.table.setFocus()

    def _fill(self, row: int, field: FieldScore, titles: dict[str, str]) -> None:
        if field.skill == "time":
            given, expected = self.tr("用时 %1").replace("%1", mmss(float(field.given or 0))), \
                self.tr("限时 %1").replace("%1", mmss(float(field.expected or 0)))
        else:
            given = named_value(field.skill, field.given, self.city, titles)
            expected = named_value(field.skill, field.expected, self.city, titles)
        empty = self.tr("（未填）")
        cells = [tr_core(field.label), RIGHT if field.right else WRONG, f"{field.points:g} / {field.weight:g}",
                 given or empty, expected or self.tr("（无）")]
        colour = QBrush(QColor("#2e7d32" if field.right else "#c62828"))
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 1:
                item.setForeground(colour)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, column, item)

    def row_texts(self) -> dict[str, list[str]]:
        """Each skill's row as shown (label -> cells), for tests and the exam summary."""
        texts: dict[str, list[str]] = {}
        for row in range(self.table.rowCount()):
            cells = [item.text() if (item := self.table.item(row, c)) else "" for c in range(self.table.columnCount())]
            texts[cells[0]] = cells[1:]
        return texts

    def _open_article(self) -> None:
        if self.outcome is not None and self.outcome.scenario.key.kb_article:
            self.article_requested.emit(self.outcome.scenario.key.kb_article)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.article_button.hasFocus():
                self._open_article()
            elif self.close_button.hasFocus():
                self.close_requested.emit()
            else:
                self.next_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.close_requested.emit()
            return
        super().keyPressEvent(event)

"""The scoring panel of the quality page: the sampled case as the lead sees it (masked), one row per scoresheet
item (points 0..max, the item's description as its tooltip), a comment, and save (Ctrl+S on the page)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from contract.enums import Disposition, SpecialNeed
from ui.common.texts import label_of
from ui.common.times import shown_time

MAX_COMMENT = 2000
W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


def wrapped(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    return label


CASE_ROWS = 14  # the rows _fill_case shows


class ScorePanel(QWidget):
    """Shows one review; emits `save_requested(review_id, scores, comment)` when the lead saves."""

    save_requested = Signal(str, dict, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review: dict[str, Any] | None = None
        self.sheet: dict[str, Any] | None = None
        self.me = ""
        self.timezone: tzinfo | None = None
        self.spins: dict[str, QSpinBox] = {}
        self.case_form = QFormLayout()
        self.case_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        case_box = QWidget()
        case_box.setLayout(self.case_form)
        self.case_rows: list[tuple[QLabel, QLabel]] = []
        for _ in range(CASE_ROWS):
            caption, value = QLabel(), wrapped(QLabel())
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.case_form.addRow(caption, value)
            self.case_rows.append((caption, value))
        scroll = named(QScrollArea(), "qualityCaseScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(case_box)
        self.items_box = QGroupBox(self.tr("评分项"))
        self.items_grid = QGridLayout(self.items_box)
        self.comment = named(QPlainTextEdit(), "qualityComment")
        self.comment.setPlaceholderText(self.tr("评语（话务员可见）"))
        self.total = named(QLabel(), "qualityTotal")
        self.note = wrapped(named(QLabel(), "qualityNote"))
        self.save_button = named(QPushButton(self.tr("保存评分 (Ctrl+S)")), "qualitySave")
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total, 1)
        bottom.addWidget(self.save_button)
        scoring = QVBoxLayout()
        scoring.addWidget(self.items_box)
        scoring.addWidget(QLabel(self.tr("评语")))
        scoring.addWidget(self.comment, 1)
        scoring.addWidget(self.note)
        scoring.addLayout(bottom)
        layout = QHBoxLayout(self)  # the case beside the sheet: both whole at 1280×720
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(scoring, 1)
        self.show_review(None)

    def set_sheet(self, sheet: dict[str, Any], me: str) -> None:
        """The scoresheet as the server serves it now: one row per item."""
        self.sheet, self.me = sheet, me
        while self.items_grid.count():
            item = self.items_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.spins = {}
        for row, entry in enumerate(sheet["items"]):
            title = QLabel(entry["title"])
            spin = named(QSpinBox(), f"qualityItem_{entry['id']}")
            spin.setRange(0, int(entry["max_points"]))
            spin.setSuffix(self.tr(" / %1 分").replace("%1", str(entry["max_points"])))
            weight = QLabel(self.tr("权重 %1").replace("%1", f"{float(entry['weight']):g}"))
            for widget in (title, spin, weight):
                widget.setToolTip(entry["description"])
            title.setBuddy(spin)
            self.items_grid.addWidget(title, row, 0)
            self.items_grid.addWidget(spin, row, 1)
            self.items_grid.addWidget(weight, row, 2)
            self.spins[entry["id"]] = spin
        self.show_review(self.review)

    def show_review(self, review: dict[str, Any] | None) -> None:
        self.review = review
        self._fill_case(review["case"] if review else None, review)
        scored = review is not None and review["status"] == "scored"
        scores = (review or {}).get("scores") or {}
        for item_id, spin in self.spins.items():
            spin.setValue(int(scores.get(item_id, spin.maximum() if not scored else 0)))
        self.comment.setPlainText((review or {}).get("comment", ""))
        mine = review is not None and (not scored or review.get("scored_by") == self.me)
        editable = mine and bool(self.spins)
        for widget in (*self.spins.values(), self.comment, self.save_button):
            widget.setEnabled(editable)
        if review is None:
            self.total.setText(self.tr("请在左侧选择一条质检记录"))
        elif scored:
            self.total.setText(self.tr("总分 %1（%2 评于 %3）").replace("%1", f"{review['total']:g}")
                               .replace("%2", review.get("scored_by_name") or "")
                               .replace("%3", shown_time(review.get("scored_at"), self.timezone)))
        else:
            self.total.setText(self.tr("待评分：总分由中心按评分表权重计算"))
        self.note.setText(self._note(review, mine))

    def _note(self, review: dict[str, Any] | None, mine: bool) -> str:
        if review is None:
            return ""
        if not mine:
            return self.tr("由 %1 评分，只有评分人可以修改。").replace("%1", review.get("scored_by_name") or "")
        sheet = review.get("sheet")
        if sheet and self.sheet and sheet.get("sha256") != self.sheet.get("sha256"):
            return self.tr("此记录按旧版评分表（%1）评分；再次保存将按当前评分表重新计分。").replace(
                "%1", str(sheet.get("version", "")))
        return ""

    def _fill_case(self, case: dict[str, Any] | None, review: dict[str, Any] | None) -> None:
        """The case's rows are made once and only their texts change: removing a QFormLayout row deletes its
        widgets under PySide's feet, and a review picked while the list is refilled crashed the desk (SIGSEGV in
        Shiboken's releaseWrapper, seen under gdb)."""
        if case is None or review is None:
            for caption, value in self.case_rows:
                caption.setText("")
                value.setText("")
            return
        needs = "、".join(label_of(SpecialNeed, c) for c in case["special_needs"]) or "—"
        direct = case["disposition"] == Disposition.DIRECT.value
        rows = [
            (self.tr("工单编号"), case["number"]),
            (self.tr("话务员"), f"{review['operator_name']}（{review['operator_id']}）"),
            (self.tr("受理时间"), shown_time(case["accepted_at"], self.timezone)),
            (self.tr("状态"), case["status_label"]),
            (self.tr("来电人"), case["caller_masked"] or self.tr("匿名")),
            (self.tr("来电号码"), case["phone_masked"] or self.tr("无号码")),
            (self.tr("特殊需求"), needs),
            (self.tr("问题分类"), case["category"].replace("/", " / ")),
            (self.tr("地点"), " ".join(x for x in (case["district_name"], case["street"]) if x) or "—"),
            (self.tr("紧急程度"), case["urgency_label"]),
            (self.tr("处理方式"), label_of(Disposition, case["disposition"])),
            (self.tr("答复内容") if direct else self.tr("主办单位"),
             case["answer"] if direct else case["lead_department_name"]),
            (self.tr("诉求内容"), case["content"]),
            (self.tr("诉求要求"), case["request"] or "—"),
        ]
        for (caption, value), (caption_text, value_text) in zip(self.case_rows, rows, strict=True):
            caption.setText(caption_text)
            value.setText(value_text)

    def save(self) -> None:
        if self.review is None or not self.save_button.isEnabled():
            return
        comment = self.comment.toPlainText().strip()
        if len(comment) > MAX_COMMENT:
            self.note.setText(self.tr("评语最多 %1 字").replace("%1", str(MAX_COMMENT)))
            return
        scores = {item_id: spin.value() for item_id, spin in self.spins.items()}
        self.save_requested.emit(self.review["id"], scores, comment)

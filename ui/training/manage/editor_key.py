"""The answer key part of the scenario editor, with the desk's own pickers: the category picker of the case form,
the city's departments, districts and streets, enum labels, required fields as checkboxes, and the knowledge-base
article to cite for 直接办结 (its title looked up in the seat's knowledge base)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from contract.case_fields import FIELD_LABELS
from contract.city.model import City
from contract.enums import AppealType, Disposition, LabeledEnum, SpecialNeed, Urgency
from contract.practice.scenario import REQUIRABLE_FIELDS
from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.common.texts import label
from ui.intake.category_picker import CategoryPicker
from ui.intake.field_box import FieldBox

ArticleTitle = Callable[[str], "str | None"]


def enum_combo(enum_cls: type[LabeledEnum], *, blank: str | None = None) -> QComboBox:
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, "")
    for member in enum_cls:
        combo.addItem(label(member), member.value)
    return combo


def choose(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    combo.setCurrentIndex(max(index, 0))


def need_boxes(parent_layout: QHBoxLayout) -> dict[str, QCheckBox]:
    boxes: dict[str, QCheckBox] = {}
    for member in SpecialNeed:
        box = QCheckBox(label(member))
        boxes[member.value] = box
        parent_layout.addWidget(box)
    parent_layout.addStretch(1)
    return boxes


class AnswerKeyBox(QGroupBox):
    """`boxes` maps the key's field names ("key.category") to the FieldBox that shows its error."""

    def __init__(self, *, city: City, tasks: TaskManager, article_title: ArticleTitle | None) -> None:
        super().__init__()
        self.setTitle(self.tr("答案要点（学员的受理结果与此对照评分）"))
        self.city, self.tasks, self.article_title = city, tasks, article_title
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(4)
        self.boxes: dict[str, FieldBox] = {}

        self.category = named(CategoryPicker(city.categories.leaves), "keyCategory")
        self.category.setToolTip(self.tr("可只填一级或二级（如“环境保护”），学员答到该层即算对"))
        self._row(form, "问题分类", "key.category", self.category)

        self.appeal_type = enum_combo(AppealType)
        self.urgency = enum_combo(Urgency)
        pair = QHBoxLayout()
        pair.setContentsMargins(0, 0, 0, 0)
        pair.addWidget(self.appeal_type, 1)
        pair.addWidget(QLabel(self.tr("紧急程度")))
        pair.addWidget(self.urgency, 1)
        self._row(form, "诉求类型", "key.appeal_type", self._wrap(pair), self.appeal_type)
        self.boxes["key.urgency"] = self.boxes["key.appeal_type"]

        self.disposition = enum_combo(Disposition)
        self.disposition.currentIndexChanged.connect(self._disposition_changed)
        self._row(form, "处理方式", "key.disposition", self.disposition)

        self.lead = QComboBox()
        self.lead.addItem(self.tr("（无）"), "")
        for dept in city.departments.values():
            self.lead.addItem(dept.name, dept.id)
        self._row(form, "主办单位", "key.lead_department", self.lead)

        self.cooperating = named(QListWidget(), "keyCooperating")
        self.cooperating.setMinimumHeight(72)  # takes the column's spare height: more units in sight
        for dept in city.departments.values():
            item = QListWidgetItem(dept.name)
            item.setData(Qt.ItemDataRole.UserRole, dept.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.cooperating.addItem(item)
        self.cooperating.setToolTip(self.tr("空格勾选协办单位"))
        self._row(form, "协办单位", "key.cooperating_departments", self.cooperating)

        self.district, self.street = QComboBox(), QComboBox()
        self.district.addItem(self.tr("（不限）"), "")
        for district in city.districts.values():
            self.district.addItem(district.name, district.id)
        self.district.currentIndexChanged.connect(self._district_changed)
        self.street.setEditable(True)
        place = QHBoxLayout()
        place.setContentsMargins(0, 0, 0, 0)
        place.addWidget(self.district, 1)
        place.addWidget(QLabel(self.tr("街道")))
        place.addWidget(self.street, 1)
        self._row(form, "区县", "key.district", self._wrap(place), self.district)
        self.boxes["key.street"] = self.boxes["key.district"]

        needs = QHBoxLayout()
        needs.setContentsMargins(0, 0, 0, 0)
        self.needs = need_boxes(needs)
        self._row(form, "特殊群体", "key.special_needs", self._wrap(needs))

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(0)
        self.required: dict[str, QCheckBox] = {}
        for i, name in enumerate(REQUIRABLE_FIELDS):
            box = QCheckBox(FIELD_LABELS.get(name, name))
            self.required[name] = box
            grid.addWidget(box, i // 3, i % 3)
        self._row(form, "必填字段", "key.required_fields", self._wrap(grid))

        self.article = named(QLineEdit(), "keyArticle")
        self.article.setPlaceholderText(self.tr("文章编号，如 demo-001"))
        self.article.editingFinished.connect(self.look_up_article)
        self.article_name = named(QLabel(), "keyArticleTitle")
        self.article_name.setWordWrap(True)
        cite = QHBoxLayout()
        cite.setContentsMargins(0, 0, 0, 0)
        cite.addWidget(self.article, 1)
        cite.addWidget(self.article_name, 1)
        self._row(form, "引用文章", "key.kb_article", self._wrap(cite), self.article)
        self._disposition_changed()

    def _wrap(self, layout: QHBoxLayout | QGridLayout) -> QWidget:
        holder = QWidget()
        holder.setLayout(layout)
        return holder

    def _row(self, form: QFormLayout, text: str, name: str, field: QWidget, focus: QWidget | None = None) -> None:
        box = FieldBox(field, focus)
        self.boxes[name] = box
        form.addRow(self.tr(text), box)

    def _district_changed(self) -> None:
        current = self.street.currentText()
        self.street.clear()
        self.street.addItem("")
        district = self.city.districts.get(str(self.district.currentData() or ""))
        if district is not None:
            self.street.addItems(list(district.streets))
        self.street.setCurrentText(current if district is None or current in district.streets else "")

    def _disposition_changed(self) -> None:
        direct = self.disposition.currentData() == Disposition.DIRECT.value
        self.article.setEnabled(direct)
        self.lead.setEnabled(not direct)  # a direct answer dispatches to no one
        self.cooperating.setEnabled(not direct)
        self.article.setToolTip("" if direct else self.tr("只有直接办结的场景需要引用知识库文章"))

    def look_up_article(self) -> None:
        article_id = self.article.text().strip()
        if not article_id:
            self.article_name.setText("")
            return
        lookup = self.article_title
        if lookup is None:
            self.article_name.setText(self.tr("（本座席没有知识库，无法显示标题）"))
            return

        def shown(title: str | None) -> None:
            if self.article.text().strip() == article_id:
                self.article_name.setText(title or self.tr("本座席的知识库中没有这篇文章"))

        self.tasks.read(lambda: lookup(article_id), shown, lambda _exc: shown(None))

    # --- the key as data ---------------------------------------------------------------------------------------
    def load(self, key: dict[str, Any]) -> None:
        self.category.set_path(str(key.get("category", "")))
        choose(self.appeal_type, str(key.get("appeal_type", "")))
        choose(self.urgency, str(key.get("urgency", "normal")))
        choose(self.disposition, str(key.get("disposition", "")))
        choose(self.lead, str(key.get("lead_department", "")))
        cooperating = set(key.get("cooperating_departments", []))
        for i in range(self.cooperating.count()):
            item = self.cooperating.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in cooperating
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        choose(self.district, str(key.get("district", "")))
        self.street.setCurrentText(str(key.get("street", "")))
        for code, box in self.needs.items():
            box.setChecked(code in key.get("special_needs", []))
        for name, box in self.required.items():
            box.setChecked(name in key.get("required_fields", []))
        self.article.setText(str(key.get("kb_article", "")))
        self.look_up_article()

    def body(self) -> dict[str, Any]:
        direct = self.disposition.currentData() == Disposition.DIRECT.value
        return {
            "category": self.category.path(), "appeal_type": self.appeal_type.currentData(),
            "disposition": self.disposition.currentData(), "urgency": self.urgency.currentData(),
            "lead_department": "" if direct else self.lead.currentData(),
            "cooperating_departments": [] if direct else [
                self.cooperating.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.cooperating.count())
                if self.cooperating.item(i).checkState() == Qt.CheckState.Checked],
            "district": self.district.currentData(), "street": self.street.currentText().strip(),
            "special_needs": [code for code, box in self.needs.items() if box.isChecked()],
            "required_fields": [name for name, box in self.required.items() if box.isChecked()],
            "kb_article": self.article.text().strip() if direct else "",
        }

    def category_problem(self) -> str:
        """The category typed is no path of the city's tree (the picker lets anything be typed)."""
        path = self.category.path()
        if path and not self.city.categories.has_prefix(path):
            return self.tr("没有这个分类，请从下拉列表中选择（可只选到一级或二级）")
        return ""

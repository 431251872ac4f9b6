"""The results answer (GET /api/v1/practice/results) as the texts and table rows a trainer reads: the page, the
trainee's weekly detail and the CSV share these, so every place shows a figure the same way. A share the server
leaves out (the skill was not scored) reads —; no attempt reads 无数据."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from contract.practice.scoring import SKILL_LABELS, SKILLS
from ui.common.category_text import short_category
from ui.common.times import duration_text

RESULTS_PATH = "/api/v1/practice/results"
# The skills a trainer asked to follow first (the issue: category, department, district, required fields,
# citation, time); the others follow in SKILLS order.
MAIN_SKILLS = ("category", "lead_department", "district", "required_fields", "citation", "time")

Index = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("PracticeResults", text)


def skill_label(skill: str) -> str:
    return tr(SKILL_LABELS.get(skill, skill))


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def score_text(value: float | None) -> str:
    return tr("无数据") if value is None else f"{value:.1f}"


duration = duration_text  # the one wording of a length of time (ui/common/times.py)


def category_text(path: str, level: int) -> str:
    """A top-level category as it is; a leaf as the desk's lists show it (its top level implied)."""
    return path if level == 1 else short_category(path)


def skills_shown(answer: dict[str, Any]) -> list[str]:
    """The skill columns: those any attempt of the answer was scored on, the main ones first."""
    scored = set(answer.get("skills", {}))
    return [s for s in (*MAIN_SKILLS, *(s for s in SKILLS if s not in MAIN_SKILLS)) if s in scored]


class RowsModel(QAbstractTableModel):
    """A read-only table of texts; `rows[i]` is kept for the row's data (a trainee, a week, a confusion)."""

    def __init__(self, headers: Sequence[str] = ()) -> None:
        super().__init__()
        self.headers: list[str] = list(headers)
        self.cells: list[list[str]] = []
        self.tips: list[list[str]] = []
        self.rows: list[dict[str, Any]] = []

    def fill(self, headers: Sequence[str], rows: Sequence[dict[str, Any]], cells: Sequence[Sequence[str]],
             tips: Sequence[Sequence[str]] | None = None) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = list(rows)
        self.cells = [list(c) for c in cells]
        self.tips = [list(t) for t in tips] if tips is not None else [[] for _ in cells]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = self.tips[index.row()]
            return tips[index.column()] if index.column() < len(tips) and tips[index.column()] else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= self.text_columns():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text_columns(self) -> int:
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def texts(self) -> list[list[str]]:
        return [list(c) for c in self.cells]


def trainee_table(answer: dict[str, Any], skills: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    headers = [tr("学员"), tr("班组"), tr("练习次数"), tr("平均分"), *(skill_label(s) for s in skills),
               tr("用时中位数")]
    cells = [[f"{t['name']}（{t['id']}）", t["team"] or "—", str(t["attempts"]), score_text(t["average"]),
              *(share(t["skills"].get(s)) for s in skills), duration(t["median_seconds"])]
             for t in answer["trainees"]]
    return headers, cells


def week_table(answer: dict[str, Any], skills: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    headers = [tr("周"), tr("起始日"), tr("练习次数"), tr("平均分"), *(skill_label(s) for s in skills)]
    cells = [[w["week"], w["start"], str(w["attempts"]), score_text(w["average"]),
              *(share(w["skills"].get(s)) for s in skills)] for w in answer["weeks"]]
    return headers, cells


def confusion_rows(answer: dict[str, Any], level: int) -> tuple[list[dict[str, Any]], list[list[str]],
                                                                 list[list[str]]]:
    rows = [c for c in answer["confusions"] if c["level"] == level]
    cells = [[category_text(c["expected"], level), category_text(c["given"], level), str(c["count"])] for c in rows]
    tips = [[c["expected"], c["given"], ""] for c in rows]
    return rows, cells, tips


def report_rows(answer: dict[str, Any]) -> list[list[str]]:
    """Every table of the answer, one after another, each under its own title and header (the CSV)."""
    skills = skills_shown(answer)
    out: list[list[str]] = [[tr("练习成绩"), f"{answer['from'][:10]} — {answer['to'][:10]}",
                             tr("练习次数"), str(answer["attempts"]), tr("平均分"), score_text(answer["average"])]]
    headers, cells = trainee_table(answer, skills)
    out += [[], [tr("学员成绩")], headers, *cells]
    headers, cells = week_table(answer, skills)
    out += [[], [tr("每周成绩")], headers, *cells]
    out += [[], [tr("各项技能正确率")], [tr("技能"), tr("正确率")],
            *([skill_label(s), share(answer["skills"].get(s))] for s in skills)]
    for level, title in ((1, tr("常见混淆（一级分类）")), (3, tr("常见混淆（三级分类）"))):
        out += [[], [title], [tr("应为"), tr("误选为"), tr("次数")]]
        out += [[c["expected"], c["given"], str(c["count"])] for c in answer["confusions"] if c["level"] == level]
    return out

"""What the caller says, line by line: a table of (text, seconds after the previous line) with keys to add,
remove and move lines. 【姓名】【电话】 in a line stand for the profile's fictitious name and phone."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.errors import ValidationError
from contract.practice.scenario import MAX_LINES, NAME_PLACEHOLDER, PHONE_PLACEHOLDER
from ui.common.named import named
from ui.training.manage import keys

ADD, REMOVE, UP, DOWN = "Ctrl+Ins", "Ctrl+Del", "Alt+Up", "Alt+Down"


class LinesEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.table = named(QTableWidget(0, 2), "linesTable")
        self.table.setHorizontalHeaderLabels([self.tr("来电人说的话"), self.tr("间隔秒数")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)  # a long line shows whole, its row as tall as its text
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip(self.tr("间隔秒数：上一句之后多少秒自动出现；0 表示学员按键才出现下一句"))
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for text, key, slot in ((self.tr("加一句"), ADD, self.add_line), (self.tr("删除"), REMOVE, self.remove_line),
                                (self.tr("上移"), UP, lambda: self.move_line(-1)),
                                (self.tr("下移"), DOWN, lambda: self.move_line(1))):
            button = keys.action_button(self, text, key, slot)
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        hint = named(QLabel(self.tr("提示：%1 和 %2 代表来电人资料中的虚构姓名和电话，播放时自动替换；"
                                    "不要写入真实的姓名、电话、证件号。")
                            .replace("%1", NAME_PLACEHOLDER).replace("%2", PHONE_PLACEHOLDER)), "linesHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)

    def load(self, lines: list[Any]) -> None:
        self.table.setRowCount(0)
        for raw in lines:
            text, after = (raw, 0) if isinstance(raw, str) else (raw.get("text", ""), raw.get("after_seconds", 0))
            self._insert(self.table.rowCount(), str(text), after)

    def _insert(self, row: int, text: str, after: object) -> None:
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(text))
        self.table.setItem(row, 1, QTableWidgetItem(f"{float(after):g}" if isinstance(after, int | float) else "0"))

    def add_line(self) -> None:
        if self.table.rowCount() >= MAX_LINES:
            return
        row = self.table.currentRow() + 1 if self.table.currentRow() >= 0 else self.table.rowCount()
        self._insert(row, "", 0)
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def remove_line(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            if self.table.rowCount():
                self.table.setCurrentCell(min(row, self.table.rowCount() - 1), 0)

    def move_line(self, step: int) -> None:
        row, column = self.table.currentRow(), max(self.table.currentColumn(), 0)
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        for col in range(2):
            upper, lower = self.table.takeItem(row, col), self.table.takeItem(target, col)
            self.table.setItem(row, col, lower)
            self.table.setItem(target, col, upper)
        self.table.setCurrentCell(target, column)

    def lines(self) -> tuple[list[dict[str, Any]], list[ValidationError]]:
        """The lines as the scenario's dicts (blank rows left out), and the seconds that are not numbers."""
        out: list[dict[str, Any]] = []
        problems: list[ValidationError] = []
        for row in range(self.table.rowCount()):
            if not self._kept(row):
                continue
            text, raw_after = self._cell(row, 0), self._cell(row, 1)
            try:
                after: float = float(raw_after or 0)
            except ValueError:
                problems.append(ValidationError(f"lines[{len(out)}].after_seconds",
                                                self.tr("间隔秒数应为数字，如 0 或 15"), code="type"))
                after = 0
            out.append({"text": text, "after_seconds": after})
        return out, problems

    def point_at(self, index: int) -> None:
        """Select the line an error names (its index among the non-blank lines)."""
        kept = [row for row in range(self.table.rowCount()) if self._kept(row)]
        if 0 <= index < len(kept):
            self.table.setCurrentCell(kept[index], 0)

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _kept(self, row: int) -> bool:
        """A row with neither words nor a delay is an unused blank one: left out, not an error."""
        return bool(self._cell(row, 0)) or self._cell(row, 1) not in ("", "0")

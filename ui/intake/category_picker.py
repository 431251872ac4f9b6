"""Pick a three-level category by typing any part of it (filter as you type)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit

SEP = " / "


def display_path(path: str) -> str:
    return path.replace("/", SEP)


def stored_path(text: str) -> str:
    return "/".join(part.strip() for part in text.split("/")) if text.strip() else ""


class CategoryPicker(QLineEdit):
    """A line edit whose completer matches anywhere in '一级 / 二级 / 三级'; stores 'a/b/c'."""

    def __init__(self, leaves: tuple[str, ...]) -> None:
        super().__init__()
        self.setPlaceholderText(self.tr("输入关键词筛选，如“物业”“噪音”，↓ 选择"))
        self._paths = QStringListModel([display_path(p) for p in leaves], self)
        completer = QCompleter(self._paths, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)

    def path(self) -> str:
        return stored_path(self.text())

    def set_path(self, path: str) -> None:
        self.setText(display_path(path))

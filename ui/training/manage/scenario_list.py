"""场景库: every scenario on the central server (drafts, published and retired ones), a filter box and status and
category filters, and the actions on the selected scenario, each with its key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from contract.city.model import City, Operator
from contract.errors import ValidationErrors
from contract.practice.scenario import Scenario
from ui.common.category_text import short_category
from ui.common.named import named
from ui.common.tables import read_only_table
from ui.common.tasks import TaskManager
from ui.training.manage import keys
from ui.training.manage.texts import SOURCE, STATUS, difficulty_label, label, practice_error_text

Api = Callable[..., Any]
ArticleTitle = Callable[[str], "str | None"]
BASE = "/api/v1/practice"
COLUMNS = ("标题", "问题分类", "难度", "状态", "版本", "来源", "更新时间")


def row_category(row: dict[str, Any]) -> str:
    key = row.get("key")
    return str(key.get("category", "")) if isinstance(key, dict) else ""


def shown_updated(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


class ScenarioLibrary(QWidget):
    """`loaded` after every answer of the server is in the table; `preview_requested(Scenario)` for 预览."""

    loaded = Signal()
    preview_requested = Signal(object)

    def __init__(self, *, api: Api, tasks: TaskManager, me: Operator, city: City,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.tasks, self.me, self.city = api, tasks, me, city
        self.article_title: ArticleTitle | None = None  # the seat's knowledge base, when the desk has one
        self.rows: list[dict[str, Any]] = []
        self.note = ""  # what was just done, said again once the list is read anew
        self.editor: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        bar = QHBoxLayout()
        self.filter = named(QLineEdit(), "scenarioFilter")
        self.filter.setPlaceholderText(self.tr("筛选：标题或分类中的文字（%1）").replace("%1", keys.key_text(keys.FILTER)))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.returnPressed.connect(self._focus_table)
        keys.shortcut(keys.FILTER, self, self.filter.setFocus)
        bar.addWidget(self.filter, 2)
        bar.addWidget(QLabel(self.tr("状态")))
        self.status = QComboBox()
        self.status.addItem(self.tr("全部"), "")
        for code, text in STATUS.items():
            self.status.addItem(self.tr(text), code)
        self.status.currentIndexChanged.connect(self.apply_filter)
        bar.addWidget(self.status)
        bar.addWidget(QLabel(self.tr("一级分类")))
        self.category = QComboBox()
        self.category.addItem(self.tr("全部"), "")
        for top in city.categories.top_level():
            self.category.addItem(top, top)
        self.category.currentIndexChanged.connect(self.apply_filter)
        bar.addWidget(self.category)
        layout.addLayout(bar)

        self.table = named(read_only_table([self.tr(c) for c in COLUMNS], stretch=0), "scenarioTable")
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        keys.shortcut(keys.EDIT, self.table, self.edit_selected, Qt.ShortcutContext.WidgetShortcut)
        keys.shortcut("Enter", self.table, self.edit_selected, Qt.ShortcutContext.WidgetShortcut)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.new_button = keys.action_button(self, self.tr("新建"), keys.NEW, self.new_scenario)
        self.edit_button = keys.action_button(self, self.tr("编辑"), keys.EDIT, self.edit_selected, bind=False)
        self.preview_button = keys.action_button(self, self.tr("预览"), keys.PREVIEW, self.preview_selected)
        self.publish_button = keys.action_button(self, self.tr("发布"), keys.PUBLISH, self.publish_selected)
        self.retire_button = keys.action_button(self, self.tr("停用"), keys.RETIRE, self.retire_selected)
        self.from_case_button = keys.action_button(self, self.tr("从真实工单生成"), keys.FROM_CASE, self.from_case)
        self.refresh_button = keys.action_button(self, self.tr("刷新"), keys.REFRESH, self.refresh)
        for button in (self.new_button, self.edit_button, self.preview_button, self.publish_button,
                       self.retire_button, self.from_case_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        layout.addLayout(actions)
        self.message = named(QLabel(), "scenarioMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._selection_changed()
        self.refresh()

    # --- loading and showing -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        api = self.api
        self.message.setText(self.note or self.tr("正在读取场景库……"))
        self.tasks.network(lambda: api("GET", f"{BASE}/scenarios", params={"status": "all"}), self._loaded,
                           self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(practice_error_text(exc))

    def _loaded(self, answer: dict[str, Any]) -> None:
        rows = answer.get("scenarios", []) if isinstance(answer, dict) else []
        rows = sorted((r for r in rows if isinstance(r, dict)), key=lambda r: str(r.get("title", "")))
        self.rows = sorted(rows, key=lambda r: str(r.get("updated_at", "")), reverse=True)  # newest first
        self.message.setText(self.note)
        self.note = ""
        self.apply_filter()
        self.loaded.emit()

    def visible_rows(self) -> list[dict[str, Any]]:
        text = self.filter.text().strip().lower()
        status, top = self.status.currentData(), self.category.currentData()
        out = []
        for row in self.rows:
            category = row_category(row)
            if status and row.get("status") != status:
                continue
            if top and category.split("/")[0] != top:
                continue
            if text and text not in str(row.get("title", "")).lower() and text not in category.lower():
                continue
            out.append(row)
        return out

    def apply_filter(self) -> None:
        chosen = self.selected_row()
        rows = self.visible_rows()
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            category = row_category(row)
            cells = (str(row.get("title", "")), short_category(category), difficulty_label(int(row.get("difficulty", 1))),
                     label(STATUS, str(row.get("status", ""))), str(row.get("version", "")),
                     label(SOURCE, str(row.get("source", ""))), shown_updated(row.get("updated_at", "")))
            for j, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row.get("id"))
                if j == 1:
                    item.setToolTip(category.replace("/", " / "))
                self.table.setItem(i, j, item)
        if rows:
            ids = [r.get("id") for r in rows]
            self.table.selectRow(ids.index(chosen["id"]) if chosen and chosen.get("id") in ids else 0)
        shown = len(rows)
        if self.rows and not shown:
            self.message.setText(self.tr("没有符合筛选条件的场景。"))
        elif not self.rows:
            self.message.setText(self.tr("场景库是空的：按 %1 新建，或按 %2 从真实工单生成。")
                                 .replace("%1", keys.key_text(keys.NEW)).replace("%2", keys.key_text(keys.FROM_CASE)))
        self._selection_changed()

    def selected_row(self) -> dict[str, Any] | None:
        items = self.table.selectedItems()
        if not items:
            return None
        scenario_id = self._row_id(items[0].row())
        return next((r for r in self.rows if r.get("id") == scenario_id), None)

    def select(self, scenario_id: str) -> bool:
        for i in range(self.table.rowCount()):
            if self._row_id(i) == scenario_id:
                self.table.selectRow(i)
                return True
        return False

    def _row_id(self, row: int) -> Any:
        item = self.table.item(row, 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _selection_changed(self) -> None:
        row = self.selected_row()
        for button in (self.edit_button, self.preview_button):
            button.setEnabled(row is not None)
        self.publish_button.setEnabled(row is not None and row.get("status") != "published")
        self.retire_button.setEnabled(row is not None and row.get("status") == "published")

    def _focus_table(self) -> None:
        if self.table.rowCount():
            self.table.setFocus()

    # --- actions -------------------------------------------------------------------------------------------------
    def new_scenario(self) -> None:
        self.open_editor(None)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_editor(row)

    def open_editor(self, body: dict[str, Any] | None, *, highlight: list[dict[str, Any]] | None = None) -> QWidget:
        from ui.training.manage.scenario_editor import ScenarioEditor

        editor = ScenarioEditor(api=self.api, tasks=self.tasks, city=self.city, body=body, parent=self,
                                article_title=self.article_title)
        editor.saved.connect(self._saved)
        editor.reload_requested.connect(self._reload_into)
        editor.preview_requested.connect(self.preview_requested)
        self.editor = editor
        editor.open()
        return editor

    def _saved(self, body: dict[str, Any]) -> None:
        self.note = self.tr("已保存“%1”（第 %2 版）。").replace("%1", str(body.get("title", ""))) \
            .replace("%2", str(body.get("version", "")))
        self.message.setText(self.note)
        others = [r for r in self.rows if r.get("id") != body.get("id")]
        self.rows = [body, *others]
        self.apply_filter()
        self.select(str(body.get("id", "")))
        self.refresh()

    def _reload_into(self, scenario_id: str) -> None:
        """The editor met a newer version: read the current one and open it again."""
        api = self.api

        def opened(body: dict[str, Any]) -> None:
            self.open_editor(body)

        self.tasks.network(lambda: api("GET", f"{BASE}/scenarios/{scenario_id}"), opened, self._failed)

    def preview_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        try:
            scenario = Scenario.from_dict(row)
        except ValidationErrors as exc:
            self.message.setText(self.tr("这个场景无法预览：%1").replace("%1", exc.errors[0].message))
            return
        self.message.setText(self.tr("预览“%1”：按学员所见播放，不保存、不上传。").replace("%1", scenario.title))
        self.preview_requested.emit(scenario)

    def publish_selected(self) -> None:
        row = self.selected_row()
        if row is not None and row.get("status") != "published":
            self._post_action(row, "publish", self.tr("已发布“%1”：各座席下次同步后可以练习。"))

    def retire_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.get("status") != "published":
            return
        answer = QMessageBox.question(self, self.tr("停用场景"), self.tr("停用“%1”？停用后学员不能再练习它，已有成绩保留。")
                                      .replace("%1", str(row.get("title", ""))))
        if answer == QMessageBox.StandardButton.Yes:
            self._post_action(row, "retire", self.tr("已停用“%1”。"))

    def _post_action(self, row: dict[str, Any], action: str, done_text: str) -> None:
        api, scenario_id, title = self.api, str(row.get("id", "")), str(row.get("title", ""))

        def done(_answer: Any) -> None:
            self.note = done_text.replace("%1", title)
            self.refresh()

        self.tasks.network(lambda: api("POST", f"{BASE}/scenarios/{scenario_id}/{action}"), done, self._failed)

    def from_case(self) -> None:
        from ui.training.manage.from_case_dialog import FromCaseDialog

        dialog = FromCaseDialog(api=self.api, tasks=self.tasks, parent=self)
        dialog.accepted_draft.connect(lambda draft: self.open_editor(draft))
        self.editor = dialog
        dialog.open()

"""Every keyboard shortcut of the desk in one table, shown by the help dialog (F1)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


def _t(text: str) -> str:
    return QCoreApplication.translate("shortcuts", text)


# (key, action); the desk binds exactly these.
NEW_CASE = "Ctrl+N"
SUBMIT = "Ctrl+Return"
JUMP_CONTENT = "Ctrl+E"
JUMP_PHONE = "Ctrl+P"
JUMP_CATEGORY = "Ctrl+G"
SEARCH_CASES = "Ctrl+F"
SHOW_FORM = "Ctrl+1"
SHOW_CASES = "Ctrl+2"
ACCEPT_ROUTING = "F4"
KB_SEARCH = "Ctrl+K"
KB_SUGGESTIONS = "Ctrl+Shift+K"
KB_CITE = "F6"
REJECTED = "Ctrl+Shift+R"
SYNC_NOW = "Ctrl+Shift+S"
MY_QUALITY = "Ctrl+Shift+Q"
LOGOUT = "Ctrl+Shift+L"
HELP = "F1"


def shortcut_rows() -> list[tuple[str, str]]:
    return [
        (NEW_CASE, _t("新建工单（清空表单）")),
        (SUBMIT, _t("提交工单")),
        (JUMP_PHONE, _t("跳到来电号码")),
        (JUMP_CATEGORY, _t("跳到问题分类")),
        (JUMP_CONTENT, _t("跳到诉求内容")),
        (ACCEPT_ROUTING, _t("采纳第一条派单建议（分类、主办单位、区县）")),
        (KB_SEARCH, _t("搜索知识库（↓↑ 选择结果，Enter 查看文章，Esc 清空）")),
        (KB_SUGGESTIONS, _t("跳到推荐文章")),
        (KB_CITE, _t("把选中文章的答复口径填入答复内容（改为直接办结并记录引用）")),
        (SEARCH_CASES, _t("搜索我的工单")),
        (SHOW_FORM, _t("切换到工单受理")),
        (SHOW_CASES, _t("切换到我的工单")),
        ("Enter", _t("在我的工单中打开选中的工单")),
        ("Tab / Shift+Tab", _t("按顺序在字段间移动")),
        ("↓", _t("在分类、单位输入框中展开候选")),
        ("Space", _t("勾选/取消复选框、协办单位")),
        (REJECTED, _t("查看被退回的变更")),
        (SYNC_NOW, _t("立即同步")),
        (MY_QUALITY, _t("查看我的质检结果（评分与评语）")),
        (LOGOUT, _t("交班（退出登录）")),
        (HELP, _t("显示本帮助")),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("快捷键"))
        rows = shortcut_rows()
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([self.tr("按键"), self.tr("功能")])
        for i, (key, action) in enumerate(rows):
            native = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) if "+" in key else key
            table.setItem(i, 0, QTableWidgetItem(native or key))
            table.setItem(i, 1, QTableWidgetItem(action))
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        self.resize(460, 460)

"""Every keyboard shortcut of the desk in one table, shown by the help dialog (F1) with the rows the person's role
has (an intake key means nothing on a trainer's desk)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from contract.roles import INTAKE, PRACTICE, REVIEW, TRAINING, may


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
SHOW_WORKBENCH = "Ctrl+3"  # after the intake pages' keys: a lead taking calls at a peak uses an operator's keys
SHOW_TRAINING = "Ctrl+4"
SHOW_PRACTICE = "Ctrl+5"
SHOW_CALLBACKS = "Ctrl+6"
SHOW_CHANNELS = "Ctrl+7"
CHANNEL_HANDOFF = ("F9", "F10", "F11")  # in 网络渠道: hand the selected message off to 110, 119, 120
ACCEPT_ROUTING = "F4"
ACCEPT_ROUTING_N = ("Alt+1", "Alt+2", "Alt+3")  # the first, second, third suggestion
KB_SEARCH = "Ctrl+K"
KB_SUGGESTIONS = "Ctrl+Shift+K"
KB_CITE = "F6"
REJECTED = "Ctrl+Shift+R"
SYNC_NOW = "Ctrl+Shift+S"
MY_QUALITY = "Ctrl+Shift+Q"
LOGOUT = "Ctrl+Shift+L"
LINK_CONTACT = "Alt+L"  # ui/cases/same_issue_desk.py
URGE = "Ctrl+U"
HELP = "F1"


def shortcut_rows(role: str = "operator") -> list[tuple[str, str]]:
    """The (key, action) rows of what `role` may do (contract/roles.py); the default is a seat operator's."""
    return [(key, text) for key, text, permission in _ROWS() if permission is None or may(role, permission)]


def _ROWS() -> list[tuple[str, str, str | None]]:  # noqa: N802 - a translated constant
    return [
        (NEW_CASE, _t("新建工单（清空表单）"), INTAKE),
        (SUBMIT, _t("提交工单"), INTAKE),
        (JUMP_PHONE, _t("跳到来电号码"), INTAKE),
        (JUMP_CATEGORY, _t("跳到问题分类"), INTAKE),
        (JUMP_CONTENT, _t("跳到诉求内容"), INTAKE),
        (ACCEPT_ROUTING, _t("采纳第一条派单建议（分类、主办单位、区县）"), INTAKE),
        *((key, _t("采纳第 %1 条派单建议（也可点击该条）").replace("%1", str(n)), INTAKE)
          for n, key in enumerate(ACCEPT_ROUTING_N, start=1)),
        (KB_SEARCH, _t("搜索知识库（↓↑ 选择结果，Enter 查看文章，Esc 清空）"), INTAKE),
        (KB_SUGGESTIONS, _t("跳到推荐文章"), INTAKE),
        (KB_CITE, _t("把选中文章的答复口径填入答复内容（改为直接办结并记录引用）"), INTAKE),
        (SEARCH_CASES, _t("搜索我的工单"), INTAKE),
        (SHOW_FORM, _t("切换到工单受理"), INTAKE),
        (SHOW_CASES, _t("切换到我的工单"), INTAKE),
        (SHOW_WORKBENCH, _t("切换到班组长工作台"), REVIEW),
        (SHOW_TRAINING, _t("切换到培训工作区"), TRAINING),
        (SHOW_PRACTICE, _t("切换到练习（在练习模式窗口中做练习和考试）"), PRACTICE),
        (SHOW_CALLBACKS, _t("切换到回访（Enter 领取，1–4 选择结果，Alt+S 提交）"), INTAKE),
        (SHOW_CHANNELS, _t("切换到网络渠道（Enter 领取选中留言并在受理表单中打开）"), INTAKE),
        *((key, _t("网络渠道：选中留言转 %1").replace("%1", target), INTAKE)
          for key, target in zip(CHANNEL_HANDOFF, ("110", "119", "120"), strict=True)),
        ("Enter", _t("在我的工单（表格或搜索框）中打开选中的工单"), INTAKE),
        ("Tab / Shift+Tab", _t("按顺序在字段间移动"), None),
        ("↓", _t("在分类、单位输入框中展开候选"), INTAKE),
        ("Space", _t("勾选/取消复选框、协办单位"), INTAKE),
        (LINK_CONTACT, _t("把本次来电关联到“可能是同一诉求”中所选的工单（重复来电，不新建工单）"), INTAKE),
        (URGE, _t("催办：记录市民对已有工单的催办（我的工单中选中的工单，或输入工单编号）"), INTAKE),
        (REJECTED, _t("查看被退回的变更"), INTAKE),
        (SYNC_NOW, _t("立即同步"), None),
        (MY_QUALITY, _t("查看我的质检结果（评分与评语）"), INTAKE),
        (LOGOUT, _t("交班（退出登录）"), None),
        (HELP, _t("显示本帮助"), None),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, role: str = "operator") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("快捷键"))
        rows = shortcut_rows(role)
        table = self.table = QTableWidget(len(rows), 2)
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

"""What an operator reads when a callback call fails: the server's stable code in plain Chinese; offline in words."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from ui.common.errors import server_error_text

_BY_CODE = {
    "callback_claimed": "另一位话务员正在回访这位市民，请选择其他工单。",
    "callback_not_claimed": "请先按 Enter 领取这张回访工单（领取已过期时请重新领取）。",
    "callback_not_due": "这张工单现在不需要回访（已回访，或尚未到回访时间）。已刷新队列。",
    "reason_required": "不满意时请填写市民的原因（至少两个字）。",
    "case_not_found": "没有找到这张工单。",
    "forbidden": "您的角色不能做回访。",
}


def _t(text: str) -> str:
    return QCoreApplication.translate("CallbackErrors", text)


def callback_error_text(parent: QWidget | None, exc: BaseException) -> str:
    return server_error_text(parent, exc, by_code=_BY_CODE, context="CallbackErrors",
                             offline="离线：连接不到中心服务器。回访队列和回访结果都在中心服务器上，恢复连接后再试。")

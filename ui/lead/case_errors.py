"""What a team lead reads when a workbench call fails: the server's stable error code in plain Chinese; anything
else through the desk's one error path (ui/common/errors.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.common.errors import server_error_text

_BY_CODE = {
    "case_not_found": "没有找到这张工单（或它不属于本班组）。",
    "invalid_transition": "工单当前状态不允许这项操作（例如已办结，或已在退回修改中）。请刷新后再看。",
    "reason_required": "请填写原因（至少两个字）。",
    "text_required": "请填写备注内容。",
    "unknown_department": "没有这个承办单位，请从列表中选择。",
    "same_department": "改派的单位与当前主办单位相同，请选择另一个单位。",
    "range_too_large": "所选时间范围内工单太多，请缩短时间范围。",
    "invalid_range": "时间范围不正确：结束时间应晚于开始时间。",
    "forbidden": "您的角色不能使用班组长工作台。",
    "invalid_request": "提交的内容不完整或格式不正确，请检查后重试。",
}


def lead_error_text(parent: QWidget | None, exc: BaseException) -> str:
    return server_error_text(parent, exc, by_code=_BY_CODE, context="LeadErrors")


def show_lead_error(parent: QWidget | None, exc: BaseException) -> None:
    QMessageBox.warning(parent, QCoreApplication.translate("LeadErrors", "操作未完成"), lead_error_text(parent, exc))

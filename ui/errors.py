"""The one UI path that shows an unexpected error to a person, in plain Chinese."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from operator_app.errors import ConfigError, OperatorAppError, StoreError

log = logging.getLogger(__name__)


def error_text(widget: QWidget, exc: BaseException) -> str:
    if isinstance(exc, ConfigError):
        return widget.tr("城市配置文件有误，请联系管理员：%1").replace("%1", str(exc))
    if isinstance(exc, StoreError):
        return widget.tr("本地数据库无法写入（磁盘已满或文件损坏？）已录入内容仍在表单中，请勿关闭程序并联系管理员。")
    if isinstance(exc, OperatorAppError):
        return str(exc)
    return widget.tr("发生意外错误，已录入内容仍在表单中。请联系管理员。（%1）").replace("%1", type(exc).__name__)


def show_error(parent: QWidget, exc: BaseException) -> None:
    log.error("error shown to the operator: %s", type(exc).__name__)
    QMessageBox.warning(parent, parent.tr("出错了"), error_text(parent, exc))

"""The one UI path that shows an unexpected error to a person, in plain Chinese."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from operator_app.errors import ConfigError, OperatorAppError, StoreError

log = logging.getLogger(__name__)


def error_text(widget: QObject | None, exc: BaseException) -> str:
    """The Chinese sentence a person sees for an error (widget only gives the translation context)."""
    widget = widget or _CONTEXT
    if isinstance(exc, ConfigError):
        return widget.tr("城市配置文件有误，请联系管理员。\n文件：%1\n位置：%2\n问题：%3") \
            .replace("%1", exc.file).replace("%2", exc.place or "—").replace("%3", exc.problem)
    if isinstance(exc, StoreError):
        return widget.tr("本地数据库无法写入（磁盘已满或文件损坏？）已录入内容仍在表单中，请勿关闭程序并联系管理员。")
    if isinstance(exc, OperatorAppError):
        return str(exc)
    return widget.tr("发生意外错误，已录入内容仍在表单中。请联系管理员。（%1）").replace("%1", type(exc).__name__)


def show_error(parent: QWidget | None, exc: BaseException, *, fatal: bool = False) -> None:
    log.error("error shown to the operator: %s", type(exc).__name__)
    title = QCoreApplication.translate("errors", "无法启动" if fatal else "出错了")
    if fatal:
        QMessageBox.critical(parent, title, error_text(parent, exc))
    else:
        QMessageBox.warning(parent, title, error_text(parent, exc))


class _Context(QObject):
    """Translation context for errors shown before any window exists."""


_CONTEXT = _Context()

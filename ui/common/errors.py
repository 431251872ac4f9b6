"""The one UI path that shows an unexpected error to a person, in plain Chinese."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from operator_app.errors import ConfigError, OperatorAppError, StoreError, SyncError, SyncErrorKind

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


def server_error_text(widget: QObject | None, exc: BaseException, *, by_code: Mapping[str, str], context: str,
                      offline: str = "连接不到中心服务器，请稍后重试。") -> str:
    """A failed call to the central server in plain Chinese: the workspace's own sentence for the server's stable
    error code (`by_code`, translated in `context`), else offline / login expired / refused with its code; anything
    else as error_text says it."""
    if isinstance(exc, SyncError):
        def tr(text: str) -> str:
            return QCoreApplication.translate(context, text)

        if exc.code in by_code:
            return tr(by_code[exc.code])
        if exc.kind is SyncErrorKind.NETWORK:
            return tr(offline)
        if exc.kind is SyncErrorKind.AUTH:
            return tr("登录已过期，请重新登录。")
        return tr("中心服务器未接受这项操作（%1）。").replace("%1", exc.code or exc.kind.value)
    return error_text(widget, exc)


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

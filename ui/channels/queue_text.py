"""The channel queue's words: columns, a row's cells, and what a failed call means to the operator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from contract.enums import Channel, SpecialNeed
from operator_app.errors import SyncError, SyncErrorKind
from ui.common.texts import label_of


def _t(text: str) -> str:
    return QCoreApplication.translate("ChannelQueue", text)


COLUMNS = ("渠道", "已等待", "特殊群体", "留言摘要", "留言人", "联系电话", "状态")
OFFLINE = "网络渠道留言在中心服务器排队：当前未连接中心服务器，暂不能领取。连接恢复后自动刷新；电话受理（Ctrl+1）不受影响。"
# (server error code, what the operator is told)
CLAIM_REFUSED = {
    "already_claimed": "这条留言刚被其他话务员领取，已从列表中移除。",
    "message_closed": "这条留言已受理或已转办，已从列表中移除。",
    "not_claimed": "您对这条留言的领取已超时或已放回，请重新领取。",
}


def waited_text(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return _t("不到 1 分钟")
    if minutes < 60:
        return _t("%1 分钟").replace("%1", str(minutes))
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return _t("%1 小时 %2 分").replace("%1", str(hours)).replace("%2", str(rest))
    return _t("%1 天").replace("%1", str(hours // 24))


def row_cells(item: Mapping[str, Any]) -> list[str]:
    needs = "、".join(label_of(SpecialNeed, n) for n in item.get("special_needs") or ())
    text = " ".join(str(item.get("text_start") or "").split())
    return [label_of(Channel, str(item.get("channel"))), waited_text(int(item.get("waited_seconds") or 0)), needs,
            text, str(item.get("contact_name_masked") or _t("（未留姓名）")),
            str(item.get("contact_phone_masked") or "—"), _t("我已领取") if item.get("mine") else _t("待领取")]


def is_offline(exc: BaseException) -> bool:
    return isinstance(exc, SyncError) and exc.kind is SyncErrorKind.NETWORK


def refusal_text(exc: BaseException) -> str:
    if isinstance(exc, SyncError):
        if exc.kind is SyncErrorKind.NETWORK:
            return _t(OFFLINE)
        if exc.code in CLAIM_REFUSED:
            return _t(CLAIM_REFUSED[exc.code])
        if exc.kind is SyncErrorKind.AUTH:
            return _t("登录已过期或被拒绝，请重新登录后再领取留言。")
    return _t("操作未完成（%1），请稍后重试。").replace("%1", type(exc).__name__)

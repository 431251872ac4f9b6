"""How a same-issue candidate reads in the desk's list and dialogs (no Qt widgets; masked phones only)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from contract.enums import CaseStatus
from ui.common.times import shown_time

REASONS = {"same_phone": "同一来电号码", "same_place": "同一地点且内容相近", "similar_content": "内容相近（本席位工单）"}


def _t(text: str) -> str:
    return QCoreApplication.translate("same_issue", text)


def reason_text(candidate: dict[str, Any]) -> str:
    return "；".join(_t(REASONS.get(r, r)) for r in candidate.get("reasons", ()))


def status_text(candidate: dict[str, Any]) -> str:
    status = CaseStatus.parse(candidate.get("status"))
    return status.label if status is not None else str(candidate.get("status", ""))


def candidate_line(candidate: dict[str, Any]) -> str:
    """One row of the panel: number · status · reason · the title (elided by the panel to its width)."""
    return f"{candidate['number']}  {status_text(candidate)}  【{reason_text(candidate)}】{candidate.get('title', '')}"


def candidate_tip(candidate: dict[str, Any], tz: ZoneInfo) -> str:
    """The row's tooltip: everything the row shows, unelided, with the acceptance time and the masked phone."""
    when = shown_time(candidate.get("accepted_at"), tz, "%Y-%m-%d %H:%M")
    return "\n".join((f"{candidate['number']}  {status_text(candidate)}  {_t('受理')} {when}",
                      f"{_t('匹配原因')}：{reason_text(candidate)}",
                      f"{_t('来电号码')}：{candidate.get('phone_masked') or '—'}",
                      str(candidate.get("title", ""))))

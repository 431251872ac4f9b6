"""Practice numbers (练-…, contract/case_number.py) never reach the real case tables: the one guard the real routes
(api/deps.py `refuse_practice_numbers`) and a seat's pushed case mutations (services/cases.py) use."""

from __future__ import annotations

from typing import Any

from central_server.core.errors import ServerError
from contract.case_number import is_practice_number

PRACTICE_NUMBER = "practice_number"  # the stable code of the refusal, for routes and pushed mutations alike


class PracticeNumberRefused(ServerError):
    status = 400
    code = PRACTICE_NUMBER

    def __init__(self) -> None:
        super().__init__("a practice number (练-…) is not a real case number: practice never touches real cases")


def practice_number_in(args: Any) -> str | None:
    """The practice number a pushed case mutation carries in its event (`args.event.payload.number`), if any."""
    try:
        number = args["event"]["payload"]["number"]
    except (KeyError, TypeError):
        return None
    return number if isinstance(number, str) and is_practice_number(number) else None


def practice_rejection_reason(number: str) -> str:
    """The seat operator's words for a refused practice case (Chinese, shown among the refused changes)."""
    return (f"{number[:40]} 是练习工单号，不是真实工单：练习工单不会进入中心的真实工单。"
            "请在练习模式中处理练习，不要把练习工单当作真实工单提交。")

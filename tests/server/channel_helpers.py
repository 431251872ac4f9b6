"""Shared by the channel-message tests (网络渠道): a gateway account, extra operators, messages and cases naming one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from central_server.db.engine import make_engine, session_factory
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD, SeatClient

GATEWAY = "9101"


def add_accounts(database_url: str, *, operators: tuple[str, ...] = ()) -> None:
    """The channel gateway's account and, when named, more operators (the template has 1001 and 1002)."""
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        create_user(s, username=GATEWAY, name="微信网关", role="channel", password=PASSWORD)
        for op in operators:
            create_user(s, username=op, name=f"话务员{op}", role="operator", password=PASSWORD)
    engine.dispose()


def a_message(message_id: str = "wx-1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "wechat", "message_id": message_id, "text": "小区门口的路灯坏了一个星期，晚上很黑。",
        "contact": {"name": "王芳", "phone": "13912345678"}, "special_needs": [],
        "received_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    return {**body, **changes}


def case_from(seat: SeatClient, seq: int, intake_id: str, *, operator: str) -> dict[str, Any]:
    """A case.created mutation naming the channel message it was made from, as the desk sends it."""
    mutation = seat.case_created(seq, operator=operator)
    mutation["args"]["event"]["payload"]["intake_id"] = intake_id
    mutation["args"]["event"]["payload"]["fields"]["channel"] = "wechat"
    return mutation

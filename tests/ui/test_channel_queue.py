"""网络渠道 on the desk, end to end with the embedded server: two messages wait (the elderly citizen's first though
it is newer); Ctrl+7 shows them, Enter claims the first and opens it in the case form (content, contact, channel and
special needs filled); the operator completes and submits it; once synced, the channel reads the case number. Without
the centre the page says so and nothing can be claimed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from central_server.embedded import EmbeddedServer
from operator_app.services.case_queries import outbox_summary
from sync.embedded import DEMO_PASSWORD
from tests.core.helpers import dispatch_form
from tests.ui.embedded_desk import desk_controller, embedded_server
from ui.channels.page import ChannelQueuePage
from ui.channels.queue_text import OFFLINE
from ui.channels.slot import ChannelSlot
from ui.shell.app import DeskController
from ui.shell.desk_window import DeskWindow

ELDERLY_TEXT = "我家楼下的路灯坏了半个月，老人晚上出门不方便。"


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[EmbeddedServer]:
    """`request.param` (indirect parametrization), when given: the minutes a claim lasts."""
    with embedded_server(tmp_path, intake_claim_minutes=float(getattr(request, "param", 15.0))) as srv:
        yield srv


@pytest.fixture
def controller(qtbot: Any, tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    with desk_controller(tmp_path, migrated_db, server) as ctl:
        yield ctl


def gateway(server: EmbeddedServer) -> dict[str, str]:
    """The demo administrator may post channel messages as a gateway does (contract/roles.py SUBMIT_INTAKE)."""
    resp = requests.post(f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORD},
                         timeout=10)
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def post(server: EmbeddedServer, auth: dict[str, str], message_id: str, text: str, minutes_ago: int,
         needs: list[str]) -> None:
    body = {"channel": "wechat", "message_id": message_id, "text": text, "special_needs": needs,
            "contact": {"name": "赵桂兰", "phone": "13712345678"},
            "received_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()}
    resp = requests.post(f"{server.url}/api/v1/intake", json=body, headers=auth, timeout=10)
    assert resp.status_code == 201, resp.text


def sign_in(qtbot: Any, ctl: DeskController, operator_id: str) -> DeskWindow:
    ctl.show_login()
    ctl.login(operator_id, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: ctl.desk is not None, timeout=20_000)
    desk = ctl.desk
    assert desk is not None
    qtbot.waitUntil(lambda: desk.ready, timeout=10_000)
    return desk


def test_claim_fill_submit_and_the_channel_reads_the_number(qtbot: Any, controller: DeskController,
                                                            server: EmbeddedServer) -> None:
    auth = gateway(server)
    post(server, auth, "wx-old", "小区垃圾桶满了没人清理", 40, [])
    post(server, auth, "wx-elderly", ELDERLY_TEXT, 5, ["elderly"])
    desk = sign_in(qtbot, controller, "1001")
    QTest.keyClick(desk, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    slot = desk.pages["channels"]
    assert isinstance(slot, ChannelSlot) and desk.tabs.currentWidget() is slot
    qtbot.waitUntil(lambda: isinstance(slot.page, ChannelQueuePage) and len(slot.page.items) == 2, timeout=20_000)
    page = slot.page
    assert isinstance(page, ChannelQueuePage)
    assert page.table.item(0, 2).text() == "老年人" and page.table.item(0, 3).text().startswith("我家楼下")
    assert page.table.item(0, 5).text() == "137****5678" and page.table.item(1, 1).text() == "40 分钟"
    assert requests.get(f"{server.url}/api/v1/intake/wechat/wx-elderly", headers=auth, timeout=10).json()[
        "status"] == "waiting"

    # A call half taken in the form is not thrown away for a message: the claim waits until it is submitted or cleared.
    QTest.keyClicks(desk.form.caller.phone, "13800138000")
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert "未提交的内容" in page.status.text() and desk.form.form_input().phone == "13800138000"
    desk.new_case()
    desk.show_workspace("channels")
    qtbot.waitUntil(lambda: not page.busy and page.claim_button.isEnabled(), timeout=10_000)
    QTest.keyClick(page.table, Qt.Key.Key_Return)  # claim the first: the elderly citizen's
    qtbot.waitUntil(lambda: desk.intake_id is not None, timeout=20_000)
    assert desk.tabs.currentWidget() is desk.pages["intake"]
    form = desk.form.form_input()
    assert (form.content, form.phone, form.caller_name, form.channel, form.special_needs) == \
        (ELDERLY_TEXT, "13712345678", "赵桂兰", "wechat", ("elderly",))
    assert desk.form.banner.isVisible() and "微信" in desk.form.banner.text()
    # The citizen's text is in: routing suggests as it does for typed content (nothing to type first).
    qtbot.waitUntil(lambda: desk.routing.snapshot is not None, timeout=20_000)

    # The operator completes category, place and dispatch as for any case, and submits.
    city = desk.seat.city
    desk.form.load(replace(dispatch_form(city), content=form.content, phone=form.phone,
                           caller_name=form.caller_name, channel=form.channel, special_needs=form.special_needs))
    desk.submit()
    qtbot.waitUntil(lambda: desk.number_dialog is not None, timeout=20_000)
    assert desk.number_dialog is not None
    number = desk.number_dialog.number_label.text()
    desk.number_dialog.accept()
    assert desk.intake_id is None  # the next case is not linked to the message
    desk.sync.run_now()
    qtbot.waitUntil(lambda: outbox_summary(desk.seat.store).pending == 0, timeout=20_000)
    seen = requests.get(f"{server.url}/api/v1/intake/wechat/wx-elderly", headers=auth, timeout=10).json()
    assert seen["status"] == "case" and seen["case_number"] == number

    # The queue now holds only the other message; without the centre it says so and nothing can be claimed.
    desk.show_workspace("channels")
    qtbot.waitUntil(lambda: [i["text_start"] for i in page.items] == ["小区垃圾桶满了没人清理"], timeout=20_000)
    assert page.claim_button.isEnabled()
    server.stop()
    page.refresh()
    qtbot.waitUntil(lambda: not page.online, timeout=30_000)
    assert page.table.rowCount() == 0 and not page.claim_button.isEnabled()
    assert page.status.text() == OFFLINE
    assert not any(b.isEnabled() for b in page.handoff_buttons.values())


def test_release_and_hand_off_from_the_desk(qtbot: Any, controller: DeskController, server: EmbeddedServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    auth = gateway(server)
    post(server, auth, "wx-a", "小区停车位被占", 30, [])
    post(server, auth, "wx-fire", "楼下电动车着火了，烟很大", 1, [])
    desk = sign_in(qtbot, controller, "1001")
    QTest.keyClick(desk, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    slot = desk.pages["channels"]
    assert isinstance(slot, ChannelSlot)
    qtbot.waitUntil(lambda: isinstance(slot.page, ChannelQueuePage) and len(slot.page.items) == 2, timeout=20_000)
    page = slot.page
    assert isinstance(page, ChannelQueuePage)
    QTest.keyClick(page.table, Qt.Key.Key_Return)  # the oldest: wx-a
    qtbot.waitUntil(lambda: desk.intake_id is not None, timeout=20_000)
    desk.show_workspace("channels")
    qtbot.waitUntil(lambda: page.table.rowCount() == 2 and page.items[0]["mine"] and
                    page.release_button.isEnabled(), timeout=20_000)
    page.release_button.click()
    qtbot.waitUntil(lambda: not page.busy and not page.items[0]["mine"], timeout=20_000)
    state = requests.get(f"{server.url}/api/v1/intake/wechat/wx-a", headers=auth, timeout=10).json()
    assert state["status"] == "waiting"

    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("已转119，告知留言人撤离", True))
    page.table.selectRow(1)  # the fire
    QTest.keyClick(desk, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: [i["text_start"] for i in page.items] == ["小区停车位被占"], timeout=20_000)
    assert "已记录转 119 火警" in page.status.text()
    state = requests.get(f"{server.url}/api/v1/intake/wechat/wx-fire", headers=auth, timeout=10).json()
    assert state["status"] == "handed_off" and state["handoff_to"] == "119" and state["closed_at"]


@pytest.mark.parametrize("server", [3 / 60], indirect=True)  # a claim lasts 3 seconds
def test_the_desk_keeps_its_claim_while_the_form_holds_the_message(qtbot: Any, controller: DeskController,
                                                                   server: EmbeddedServer) -> None:
    auth = gateway(server)
    post(server, auth, "wx-long", "小区健身器材损坏，孩子玩耍时容易受伤", 10, [])
    other = requests.post(f"{server.url}/api/v1/auth/login", json={"username": "1002", "password": DEMO_PASSWORD},
                          timeout=10).json()["access_token"]
    desk = sign_in(qtbot, controller, "1001")
    desk.show_workspace("channels")
    slot = desk.pages["channels"]
    assert isinstance(slot, ChannelSlot)
    qtbot.waitUntil(lambda: isinstance(slot.page, ChannelQueuePage) and len(slot.page.items) == 1, timeout=20_000)
    assert isinstance(slot.page, ChannelQueuePage)
    intake_id = slot.page.items[0]["id"]
    QTest.keyClick(slot.page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.intake_id == intake_id, timeout=20_000)

    def claim_by_other() -> int:
        return requests.post(f"{server.url}/api/v1/intake/{intake_id}/claim", timeout=10,
                             headers={"Authorization": f"Bearer {other}"}).status_code

    qtbot.wait(5000)  # longer than a claim: still the operator's, who is still at the form
    assert claim_by_other() == 409
    desk.new_case()  # the operator gives up on it: no more renewals, the claim lapses
    qtbot.wait(4000)
    assert claim_by_other() == 200

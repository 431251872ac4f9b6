"""The 热点 page against a live embedded central server: ranked list with badges, a hot spot's cases, 督办 with a
reason (open cases only), a page that fits 1280×720, and an operator's refusal in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from contract.city.model import Operator
from sync.http_client import ServerClient
from tests.server.api_client import PASSWORD, Api, SeatClient, case_fields
from tests.server.conftest import build_template
from tests.ui.conftest import type_chinese
from ui.common.tasks import TaskManager
from ui.lead.hotspot_page import HotspotPage

LEAD = Operator(id="2001", name="黄秀英", role="team_lead", team="一班")
NOW = datetime.now().astimezone()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    build_template(url)
    srv = serve_app_in_thread(create_app(Settings(database_url=url, access_log=False)))
    yield srv
    srv.stop()


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def api_as(server: EmbeddedServer, username: str) -> Callable[..., Any]:
    client = ServerClient(server.url)
    token = client.login(username, PASSWORD).access_token

    def api(method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None) -> Any:
        return client.call_json(method, path, token=token, json_body=json_body, params=params)

    return api


def push_cases(server: EmbeddedServer) -> list[str]:
    """Three 油烟 complaints at one compound (one already closed) and two 积水 complaints at another."""
    seat = SeatClient.register(Api(server.url))
    grill = {"content": "幸福家园楼下烧烤店晚上油烟很大，窗户不敢开。", "address": "东湖区湖滨街道幸福家园3栋",
             "category": "环境保护/餐饮油烟/油烟扰民"}
    water = {"content": "翠湖苑地下车库积水，车开不进去。", "address": "翠湖苑", "category": "城乡建设/物业管理/物业服务质量"}
    specs = [(grill, 20, False), (grill, 12, True), (grill, 3, False), (water, 25, False), (water, 24, False)]
    mutations = []
    for seq, (spec, days_ago, closed) in enumerate(specs, 1):
        disposition = "direct" if closed else "dispatch"
        m = seat.case_created(seq, disposition=disposition)
        at = (NOW - timedelta(days=days_ago)).isoformat(timespec="milliseconds")
        m["created_at"] = m["args"]["event"]["recorded_at"] = at
        m["args"]["event"]["payload"]["fields"] = case_fields(disposition=disposition, district="donghu",
                                                              street="湖滨街道", **spec)
        mutations.append(m)
    resp = seat.push(mutations)
    assert [r["status"] for r in resp.json()["results"]] == ["applied"] * 5, resp.text
    return [m["args"]["event"]["payload"]["number"] for m in mutations]


def test_lead_sees_ranked_hot_spots_opens_one_and_supervises_it(qtbot, server: EmbeddedServer,  # type: ignore[no-untyped-def]
                                                                tasks: TaskManager) -> None:
    numbers = push_cases(server)
    page = HotspotPage(api=api_as(server, "2001"), tasks=tasks, me=LEAD)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.set_range(NOW - timedelta(days=30), NOW + timedelta(minutes=1))
        page.show()
    assert page.minimumSizeHint().width() <= 1280 and page.minimumSizeHint().height() <= 720
    rows = [[page.spot_table.item(r, c).text() for c in range(7)] for r in range(page.spot_table.rowCount())]
    # growing (two of three in the later half) before the older pair; 3 in 30 days → 建议督办
    assert [(r[1], r[3], r[4], r[6]) for r in rows] == [("东湖区 湖滨街道 幸福家园", "3", "+1", "建议督办"),
                                                        ("东湖区 湖滨街道 翠湖苑", "2", "−2", "")]
    page.spot_table.selectRow(0)
    shown = {page.case_table.item(r, 0).text() for r in range(page.case_table.rowCount())}
    assert shown == set(numbers[:3])
    cells = " ".join(page.case_table.item(r, c).text() for r in range(3) for c in range(5))
    assert "13800000000" not in cells and "张三" not in cells

    qtbot.mouseClick(page.supervise_button, Qt.MouseButton.LeftButton)
    dialog = page._dialog
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is required
    type_chinese(dialog.reason, "同一小区反复投诉")
    assert ok.isEnabled()
    with qtbot.waitSignal(page.supervised, timeout=10_000) as done, qtbot.waitSignal(page.loaded, timeout=10_000):
        ok.click()
    assert done.args == [2]  # the closed one is left alone
    assert "2 件在办工单已加督办，1 件已办结未加" in page.status.text()
    assert page.spot_table.item(0, 6).text() == "已督办"
    assert page.supervise_button.text() == "再次督办…"


def test_an_operator_is_told_in_chinese_that_hot_spots_are_not_theirs(qtbot, server: EmbeddedServer,  # type: ignore[no-untyped-def]
                                                                      tasks: TaskManager) -> None:
    page = HotspotPage(api=api_as(server, "1001"), tasks=tasks, me=LEAD)
    qtbot.addWidget(page)
    page.set_range(NOW - timedelta(days=30), NOW)
    qtbot.waitUntil(lambda: "无法读取热点" in page.status.text(), timeout=10_000)
    assert "您的角色不能查看或督办热点" in page.status.text()
    assert page.spot_table.rowCount() == 0


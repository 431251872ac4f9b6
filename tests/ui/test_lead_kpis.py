"""The KPI page shows the figures an embedded server computes for the lead's team, says 无数据 where there is
nothing to count, exports the shift report, and fits a 1280×720 screen."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from central_server.core.config import Settings
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from central_server.services import case_history
from contract.city.model import Operator
from tests.server.api_client import PASSWORD
from tests.server.test_kpis import CITY, EARLY_SHIFT, OTHER, TEAM, Clock, build_scenario
from ui.common.tasks import TaskManager
from ui.lead.kpi_format import duration, percent


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedServer]:
    import uuid
    from datetime import UTC

    from central_server.db.models import Seat
    from central_server.services.users import create_user

    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    monkeypatch.setattr(case_history, "datetime", Clock)
    with session_factory(engine)() as s:
        for people, team in ((TEAM, "一班"), (OTHER, "二班")):
            for uid, name in people.items():
                create_user(s, username=uid, name=name, password=PASSWORD, team=team,
                            role="team_lead" if uid.startswith("2") else "operator")
        for code in ("S101", "S102", "S201"):
            s.add(Seat(id=str(uuid.uuid4()), seat_code=code, credential_hash="x" * 64, registered_by="1101",
                       registered_at=datetime.now(UTC), last_applied_seq=0))
        s.commit()
        build_scenario(s)
    engine.dispose()
    monkeypatch.undo()
    srv = serve_app_in_thread(create_app(Settings(database_url=url, access_log=False)))
    yield srv
    srv.stop()


def api_as(server: EmbeddedServer, username: str) -> Any:
    """Shaped like SyncEngine.api: api(method, path, json_body=None, params=None)."""
    http = requests.Session()
    token = http.post(f"{server.url}/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                      timeout=30).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"

    def api(method: str, path: str, json_body: Any = None, params: dict[str, Any] | None = None) -> Any:
        resp = http.request(method, server.url + path, json=json_body, params=params, timeout=30)
        resp.raise_for_status()
        return resp.json()

    return api


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def test_the_page_shows_the_servers_figures(qtbot, server: EmbeddedServer, tasks: TaskManager,
                                            tmp_path: Path) -> None:
    from ui.lead.kpi_page import KpiPage

    api = api_as(server, "2101")
    page = KpiPage(api=api, tasks=tasks, me=Operator("2101", "甲组长", "team_lead", "一班"))
    qtbot.addWidget(page)
    page.resize(1280, 640)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.set_range(*EARLY_SHIFT)
    k = api("GET", "/api/v1/lead/kpis", params={"from": EARLY_SHIFT[0].isoformat(),
                                                "to": EARLY_SHIFT[1].isoformat()})
    shown = {key: tile.value.text() for key, tile in page.tiles.items()}
    assert shown == {
        "cases": "4", "answer_rate": percent(k["answer_rate"]["rate"]),
        "avg_wait": duration(k["avg_wait_seconds"]), "response_on_time": percent(k["response_on_time"]["rate"]),
        "completion_on_time": percent(k["completion_on_time"]["rate"]),
        "satisfaction": percent(k["satisfaction"]["rate"]), "avg_handling": duration(k["avg_handling_seconds"]),
        "routing": percent(k["routing"]["acceptance_rate"])}
    # The same figures by hand (tests/server/test_kpis.py); today every deadline of the scenario has passed.
    assert shown == {"cases": "4", "answer_rate": "66.7%", "avg_wait": "1 分 07 秒", "response_on_time": "50.0%",
                     "completion_on_time": "50.0%", "satisfaction": "33.3%", "avg_handling": "5 分 10 秒",
                     "routing": "66.7%"}
    assert "按时 2 / 应办结 4" in page.tiles["completion_on_time"].detail.text()
    assert page.period.text() == "2026-03-02 08:00 — 2026-03-02 16:00"  # the city's clock
    assert page.per_hour.categories() == [str(h) for h in range(8, 16)]  # the shift's hours
    assert page.per_hour.values() == [1, 1, 0, 0, 1, 0, 0, 1]
    assert dict(zip(page.per_operator.categories(), page.per_operator.values(), strict=True)) == {
        "甲一": 2, "甲二": 2, "甲组长": 0}
    assert page.satisfaction.shares() == {"基本满意 1": 1, "不满意 2": 2}
    # the unit that returned most at the top of the horizontal chart (its last category)
    assert page.returns.categories()[-1] == f"退单率 25.0% {CITY.departments['zjj']}"
    assert page.returns.values(0) == [1, 4] and page.returns.values(1) == [0, 1]
    for chart in (page.per_hour, page.per_operator, page.returns):
        assert all(tick == int(tick) for tick in chart.ticks()), chart.ticks()  # labels never round a tick
    page.returns.show_values(["a"], [[6], [1]])
    assert page.returns.ticks() == [0, 2, 4, 6]
    page.returns.show_values(["a"], [[17], [3]])
    assert page.returns.ticks() == [0, 4, 8, 12, 16, 20]

    page.export_csv(tmp_path / "r.csv")
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert ["满意度", "满意率", "33.3%"] in rows and ["呼叫", "接通", "2"] in rows
    assert ["每位话务员受理", "甲一（1101）", "2"] in rows and ["每小时受理", "15:00-16:00", "1"] in rows
    page.export_html(tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "班次看板报表" in text and "66.7%" in text and "5 分 10 秒" in text

    # A range without cases, callbacks or calls: every rate reads 无数据.
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.set_range(datetime.fromisoformat("2026-04-01T08:00:00+08:00"),
                       datetime.fromisoformat("2026-04-01T16:00:00+08:00"))
    assert page.tiles["cases"].value.text() == "0"
    assert page.per_hour.values() == [0] * 8
    for key in ("answer_rate", "avg_wait", "response_on_time", "completion_on_time", "satisfaction",
                "avg_handling", "routing"):
        assert page.tiles[key].value.text() == "无数据", key
    assert "无数据" in page.satisfaction.chart_.title()


def test_the_page_fits_1280_by_720_and_reports_a_refusal(qtbot, server: EmbeddedServer,
                                                        tasks: TaskManager) -> None:
    from ui.lead.kpi_page import KpiPage

    page = KpiPage(api=api_as(server, "1101"), tasks=tasks, me=Operator("1101", "甲一", "operator", "一班"))
    qtbot.addWidget(page)
    hint = page.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 600  # room for the window's title, tabs and status bar
    with qtbot.waitSignal(page.failed, timeout=15_000) as failed:
        page.set_range(*EARLY_SHIFT)  # an operator's token: 403
    assert "看板数据加载失败" in failed.args[0]
    assert not page.csv_button.isEnabled()


def test_the_hours_a_range_covers() -> None:
    from ui.lead.kpi_page import hours_of

    assert hours_of("2026-03-02T08:00:00+08:00", "2026-03-02T16:00:00+08:00") == list(range(8, 16))
    assert hours_of("2026-03-02T22:00:00+08:00", "2026-03-03T06:00:00+08:00") == [22, 23, 0, 1, 2, 3, 4, 5]
    assert hours_of("2026-03-02T08:30:00+08:00", "2026-03-02T10:00:00+08:00") == [8, 9]
    assert hours_of("2026-03-01T16:00:00+08:00", "2026-03-02T16:00:00+08:00") == list(range(24))
    assert hours_of("2026-03-01T00:00:00+08:00", "2026-03-31T00:00:00+08:00") == list(range(24))

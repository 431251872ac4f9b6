"""Quality review in the desk, against an embedded central server: the lead samples and scores on the workbench's
quality page; the operator reads the score and the comment in 我的质检."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QSpinBox

from central_server.embedded import EmbeddedServer, start_in_thread
from central_server.services.demo import DEMO_PASSWORD
from contract.city.model import Operator
from sync.http_client import ServerClient
from tests.server.api_client import Api, SeatClient
from tests.ui.conftest import type_chinese
from ui.cases.quality_dialog import QualityDialog
from ui.common.tasks import TaskManager
from ui.lead.quality_page import QualityPage
from ui.lead.quality_score_panel import ScorePanel
from ui.shell.desk_window import DeskWindow

LEAD = Operator("2001", "黄秀英", "team_lead", "一班")
START, END = datetime.fromisoformat("2026-03-01T00:00:00+08:00"), datetime.fromisoformat("2026-03-08T00:00:00+08:00")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    srv = start_in_thread(f"sqlite:///{tmp_path / 'central' / 'central.sqlite'}")
    yield srv
    srv.stop()


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def _push_cases(url: str, counts: dict[str, int]) -> None:
    """Cases of the demo team 一班, pushed from one seat as a seat pushes them, accepted on 2026-03-02..06."""
    api = Api(url)
    token = {"Authorization": f"Bearer {api.login('1001', DEMO_PASSWORD)['access_token']}"}
    seat_id = str(uuid.uuid4())
    resp = api.post("/seats/register", {"seat_id": seat_id, "seat_code": "S009"}, headers=token)
    assert resp.status_code == 201, resp.text
    seat = SeatClient(api, seat_id, "S009", resp.json()["seat_credential"], token)
    for operator in counts:
        seat.auth = {"Authorization": f"Bearer {api.login(operator, DEMO_PASSWORD)['access_token']}"}
        assert api.post("/seats/sign-in", headers=seat.headers()).status_code == 200
    seq = 0
    for operator, n in counts.items():
        for day in range(2, 2 + n):
            seq += 1
            mutation = seat.case_created(seq, operator=operator)
            mutation["args"]["event"]["recorded_at"] = f"2026-03-0{day}T10:00:00.000+08:00"
            assert seat.push([mutation]).json()["results"][0]["status"] == "applied"


def _api_as(url: str, username: str) -> Callable[..., Any]:
    client = ServerClient(url, session=requests.Session())
    token = client.login(username, DEMO_PASSWORD).access_token

    def api(method: str, path: str, json_body: Any = None, params: dict[str, Any] | None = None) -> Any:
        return client.call_json(method, path, token=token, json_body=json_body, params=params)

    return api


def test_the_lead_samples_and_scores_and_the_operator_reads_it(qtbot, server: EmbeddedServer,  # type: ignore[no-untyped-def]
                                                               tasks: TaskManager) -> None:
    _push_cases(server.url, {"1001": 3, "1002": 2})
    page = QualityPage(api=_api_as(server.url, "2001"), tasks=tasks, me=LEAD)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitExposed(page)
    page.set_range(START, END)
    qtbot.waitUntil(lambda: page.busy == 0 and bool(page.panel.spins), timeout=10000)
    assert page.list.count() == 0 and len(page.panel.spins) == 5
    tip = page.panel.spins["service_language"].toolTip()
    assert tip.startswith("使用规范的服务用语") and "礼貌" in tip  # the item's description, from the sheet
    page.per_operator.setValue(2)
    qtbot.mouseClick(page.sample_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.busy == 0 and page.list.count() == 4, timeout=10000)
    assert "已抽取 4 件" in page.status.text()
    assert all(page.list.item(i).text().startswith("待评") for i in range(4))
    row = next(i for i, r in enumerate(page.reviews) if r["operator_id"] == "1001")
    page.list.setCurrentRow(row)
    review_id, accepted = page.reviews[row]["id"], page.reviews[row]["case"]["accepted_at"]
    case_texts = [page.panel.case_form.itemAt(i).widget().text()  # type: ignore[union-attr]
                  for i in range(page.panel.case_form.count()) if page.panel.case_form.itemAt(i).widget()]
    assert "138****0000" in case_texts and "楼道灯坏了" in case_texts and "13800000000" not in case_texts
    values = {"intake_complete": 10, "category_correct": 8, "dispatch_correct": 6, "answer_standard": 9,
              "service_language": 4}
    for item_id, points in values.items():
        spin: QSpinBox = page.panel.spins[item_id]
        spin.setValue(points)
    type_chinese(page.panel.comment, "派单单位有误")
    QTest.keyClick(page.panel.comment, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # save with the keys
    qtbot.waitUntil(lambda: page.busy == 0 and page.list.item(row).text().startswith("82 分"), timeout=10000)
    assert "总分 82" in page.status.text()
    assert page._current_id() != review_id and page.list.currentItem().text().startswith("待评")  # next pending
    page.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: page.busy == 0 and "W10 82 分（1 件）" in page.trend.summary.text(), timeout=10000)
    assert page.trend.current_operator() == "1001" and len(page.trend.weeks) == 8
    assert page.trend.chart.series() and "无数据" in page.trend.summary.text()  # the seven weeks before
    assert page.minimumSizeHint().width() <= 1280 and page.minimumSizeHint().height() <= 680

    dialog = QualityDialog(api=_api_as(server.url, "1001"), tasks=tasks, timezone=ZoneInfo("Asia/Shanghai"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10000)
    assert dialog.list.count() == 1 and "82 分" in dialog.list.item(0).text()
    assert "总分 82" in dialog.header.text() and "黄秀英" in dialog.header.text()
    city_time = datetime.fromisoformat(accepted).strftime("%Y-%m-%d 10:00")  # accepted at 10:00 city time
    assert f"受理 {city_time}" in dialog.header.text()
    assert dialog.comment.text() == "评语：派单单位有误"
    cells = [(dialog.items.item(r, 0).text(), dialog.items.item(r, 1).text(), dialog.items.item(r, 2).text())
             for r in range(dialog.items.rowCount())]
    assert cells[0] == ("受理信息完整", "10", "10") and cells[4] == ("服务用语", "4", "5")
    other = QualityDialog(api=_api_as(server.url, "1002"), tasks=tasks)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: not other.loading, timeout=10000)
    assert other.list.count() == 0 and other.header.text() == "暂无质检记录"  # 1002's reviews are not scored yet


def test_the_desk_opens_my_quality_with_its_shortcut(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(desk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: any(isinstance(w, QualityDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5000)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QualityDialog))
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)
    assert "服务器" in dialog.header.text()  # this desk's server is down: said in plain words
    dialog.close()


def _review(number: str, content: str) -> dict[str, Any]:
    case = {"number": number, "accepted_at": "2026-03-02T10:00:00+08:00", "status_label": "已派单",
            "caller_masked": "张*", "phone_masked": "138****0000", "special_needs": [], "category": "城乡建设/物业管理/物业服务质量",
            "district_name": "东湖区", "street": "湖滨街道", "urgency_label": "普通", "disposition": "dispatch",
            "answer": "", "lead_department_name": "市住房和城乡建设局", "content": content, "request": ""}
    return {"id": number, "status": "pending", "operator_id": "1001", "operator_name": "李晓梅", "case": case}


def test_picking_reviews_keeps_the_case_rows_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The case's rows are updated in place: removing QFormLayout rows deleted their labels under PySide, and a
    review picked while the list was refilled crashed the process (SIGSEGV in Shiboken's releaseWrapper)."""
    panel = ScorePanel()
    qtbot.addWidget(panel)
    def values() -> list[QLabel]:
        form = panel.case_form
        return [form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget() for row in range(form.rowCount())]

    panel.show_review(_review("S001-20260302-0001", "楼道灯坏了"))
    labels = values()
    panel.show_review(_review("S001-20260302-0002", "电梯停运"))
    assert labels and all(shiboken6.isValid(label) for label in labels)
    assert [label.text() for label in values()][0] == "S001-20260302-0002"
    assert "电梯停运" in [label.text() for label in values()]

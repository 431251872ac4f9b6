"""The trainer's results page against a live server holding the hand-made attempts of
tests/server/test_practice_results.py: the table, the charts and the confusion table show the hand-computed
figures; the filters and the level switch work from the keyboard; Enter opens a trainee's weeks; the CSV holds the
tables; a refusal is shown in words; the page fits 1280×720."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from central_server.core.config import Settings
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from central_server.services.users import create_user
from contract.city.model import Operator
from operator_app.errors import SyncError, SyncErrorKind
from tests.server.api_client import PASSWORD
from tests.server.test_practice_results import CITY, FEES, HOUSING, NOISE_NEIGHBOUR, NOISE_SITE, add_attempts
from tests.ui.test_lead_kpis import api_as
from ui.common.tasks import TaskManager

TRAINER = Operator("3001", "林雅琴", "trainer", "培训组")
START, END = datetime.fromisoformat("2026-11-23T00:00+08:00"), datetime.fromisoformat("2026-12-07T00:00+08:00")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_factory(engine)() as s:
        for uid, name, role in (("1001", "李晓梅", "operator"), ("1002", "王建国", "operator"),
                                ("2001", "黄秀英", "team_lead"), ("3001", "林雅琴", "trainer")):
            create_user(s, username=uid, name=name, role=role, password=PASSWORD)
        add_attempts(s)
    engine.dispose()
    srv = serve_app_in_thread(create_app(Settings(database_url=url, access_log=False)))
    yield srv
    srv.stop()


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def make_page(qtbot: Any, api: Any, tasks: TaskManager) -> Any:
    from ui.training.manage.results_page import ResultsPage

    page = ResultsPage(api=api, tasks=tasks, me=TRAINER, city=CITY.city)
    qtbot.addWidget(page)
    page.resize(1280, 610)  # a 1280×720 screen less the desk's title, workspace tabs and status bar
    return page


def test_the_page_shows_the_hand_computed_figures(qtbot: Any, server: EmbeddedServer, tasks: TaskManager,
                                                  tmp_path: Path) -> None:
    page = make_page(qtbot, api_as(server, "3001"), tasks)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.set_range(START, END)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # a label's mnemonic (Alt+L) is a shortcut of the active window
    qtbot.waitUntil(page.isActiveWindow)
    assert page.mode.currentText() == "自定义"
    assert (page.start_edit.date().toString("yyyy-MM-dd"), page.end_edit.date().toString("yyyy-MM-dd")) == (
        "2026-11-23", "2026-12-06")  # the last day shown inclusive
    assert page.summary.text() == "2026-11-23 — 2026-12-06 · 练习 7 次 · 平均分 70.0"
    # main skills first (category, lead unit, citation, time: the others were not scored)
    assert page.trainees.headers == ["学员", "班组", "练习次数", "平均分", "问题分类", "主办单位", "引用知识库", "用时",
                                     "用时中位数"]
    rows = {r[0]: r for r in page.trainees.texts()}
    assert rows["李晓梅（1001）"] == ["李晓梅（1001）", "一班", "4", "82.5", "75%", "67%", "—", "67%", "2 分 30 秒"]
    assert rows["王建国（1002）"] == ["王建国（1002）", "二班", "3", "53.3", "0%", "0%", "50%", "—", "2 分 30 秒"]
    assert rows["黄秀英（2001）"] == ["黄秀英（2001）", "—", "0", "无数据", "—", "—", "—", "—", "无数据"]
    assert page.weekly.weeks == ["2026-W48", "2026-W49"]
    assert page.weekly.lines["average"] == [pytest.approx(63.33, abs=0.01), 75.0]
    assert page.weekly.lines["category"] == [pytest.approx(33.3, abs=0.1), 50.0]
    assert page.weekly.lines["citation"] == [0.0, 100.0] and page.weekly.lines["time"] == [100.0, 0.0]
    assert page.weekly.series_names() == ["平均分", "问题分类", "主办单位", "引用知识库", "用时"]
    assert page.skill_bars.values() == {"用时": 67, "引用知识库": 50, "主办单位": 50, "问题分类": 43}
    # level 3 first: leaves as the desk's lists show them (top level implied), the whole path in the tooltip
    assert page.confusions.texts() == [["噪音扰民/施工噪音", "噪音扰民/邻里噪音", "2"], ["住房保障/公租房申请", "物业管理/物业收费", "1"],
                                       ["住房保障/公租房申请", "噪音扰民/施工噪音", "1"]]
    assert page.confusions.data(page.confusions.index(0, 1), Qt.ItemDataRole.ToolTipRole) == NOISE_NEIGHBOUR
    assert page.confusions.rows[0]["expected"] == NOISE_SITE and page.confusions.rows[1]["given"] == FEES
    # the level switch from the keyboard: Alt+L, then ↓
    QTest.keyClick(page, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert page.level.hasFocus()
    QTest.keyClick(page.level, Qt.Key.Key_Down)
    assert page.confusions.texts() == [["城乡建设", "环境保护", "1"]]
    assert page.confusions.rows[0]["expected"] == HOUSING.split("/")[0]
    # one skill's curve alone
    page.curve.setCurrentIndex(page.curve.findData("category"))
    assert page.weekly.series_names() == ["平均分", "问题分类"]

    page.export_csv(tmp_path / "r.csv")
    lines = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert ["李晓梅（1001）", "一班", "4", "82.5", "75%", "67%", "—", "67%", "2 分 30 秒"] in lines
    assert ["2026-W49", "2026-11-30", "4", "75.0", "50%", "50%", "100%", "0%"] in lines
    assert [NOISE_SITE, NOISE_NEIGHBOUR, "2"] in lines and ["城乡建设", "环境保护", "1"] in lines

    # Enter on a trainee's row opens their weeks
    page.trainee_view.setFocus()
    page.trainee_view.selectRow([r["id"] for r in page.trainees.rows].index("1001"))
    QTest.keyClick(page.trainee_view, Qt.Key.Key_Return)
    assert page.detail is not None and page.detail.isVisible()
    detail = page.detail
    qtbot.waitUntil(lambda: detail.weeks.rowCount() == 2, timeout=15_000)
    assert [r[:4] for r in detail.weeks.texts()] == [["2026-W48", "2026-11-23", "2", "70.0"],
                                                   ["2026-W49", "2026-11-30", "2", "95.0"]]
    assert [r[1:3] for r in detail.recent.texts()] == [["夜间施工噪音", "100.0"], ["夜间施工噪音", "90.0"],
                                                       ["夜间施工噪音", "60.0"], ["夜间施工噪音", "80.0"]]
    assert detail.recent.texts()[0][0] == "2026-12-02 10:00"  # the city's clock
    QTest.keyClick(detail, Qt.Key.Key_Escape)
    assert not detail.isVisible()


def test_filters_reload_with_the_team_or_the_trainee(qtbot: Any, server: EmbeddedServer,
                                                     tasks: TaskManager) -> None:
    page = make_page(qtbot, api_as(server, "3001"), tasks)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.set_range(START, END)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.team.setCurrentIndex(page.team.findData("一班"))
    assert page.params()["team"] == "一班"
    assert [r[0] for r in page.trainees.texts()] == ["李晓梅（1001）"]
    # the trainee list follows the team (the demo roster's 一班)
    assert page.trainee.itemData(1) == "1001" and page.trainee.findData("1011") == -1
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.team.setCurrentIndex(0)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.trainee.setCurrentIndex(page.trainee.findData("1002"))
    assert page.summary.text().endswith("练习 3 次 · 平均分 53.3")


def test_the_ranges_of_the_picker(qtbot: Any, server: EmbeddedServer, tasks: TaskManager) -> None:
    from ui.training.manage.results_page import THIS_WEEK, week_range

    page = make_page(qtbot, api_as(server, "3001"), tasks)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.show()  # the first showing loads 近4周
    assert page.mode.currentText() == "近4周"
    assert page.range == week_range(datetime.now(page.tz).date(), 4, page.tz)
    assert (page.range[1] - page.range[0]).days == 28 and page.range[0].weekday() == 0
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.mode.setCurrentIndex(THIS_WEEK)
    assert (page.range[1] - page.range[0]).days == 7
    start, end = week_range(datetime.fromisoformat("2026-12-06").date(), 2, page.tz)  # a Sunday
    assert (start.isoformat(), end.isoformat()) == ("2026-11-23T00:00:00+08:00", "2026-12-07T00:00:00+08:00")
    # a custom range typed in the date fields, the end day included
    page.mode.setCurrentIndex(2)
    page.start_edit.setDate(page.start_edit.date().fromString("2026-11-30", "yyyy-MM-dd"))
    page.end_edit.setDate(page.end_edit.date().fromString("2026-12-01", "yyyy-MM-dd"))
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.apply_button.click()
    assert page.params()["end"] == "2026-12-02T00:00:00+08:00"
    assert page.answer is not None and page.answer["attempts"] == 2  # a5 and a3
    page.end_edit.setDate(page.end_edit.date().fromString("2026-11-01", "yyyy-MM-dd"))
    with qtbot.waitSignal(page.failed, timeout=5_000) as failed:
        page.apply_button.click()
    assert failed.args == ["时间范围不正确：结束日期不能早于开始日期。"]


def test_refusals_and_a_dead_server_are_shown_in_words(qtbot: Any, tasks: TaskManager) -> None:
    errors: list[BaseException] = [SyncError(SyncErrorKind.REJECTED, "403", code="forbidden"),
                                   SyncError(SyncErrorKind.NETWORK, "refused"),
                                   SyncError(SyncErrorKind.AUTH, "expired")]

    def api(method: str, path: str, json_body: Any = None, params: Any = None) -> Any:
        raise errors.pop(0)

    page = make_page(qtbot, api, tasks)
    with qtbot.waitSignal(page.failed, timeout=5_000) as failed:
        page.set_range(START, END)
    assert failed.args == ["练习成绩加载失败：您的角色不能查看练习成绩。"]
    page.show()
    assert page.status.isVisible() and page.status.text() == failed.args[0]
    assert not page.csv_button.isEnabled()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.trainee_view.setFocus()
    with qtbot.waitSignal(page.failed, timeout=5_000) as failed:
        QTest.keyClick(page, Qt.Key.Key_F5)
    assert failed.args == ["练习成绩加载失败：连接不到中心服务器，请稍后重试。"]
    with qtbot.waitSignal(page.failed, timeout=5_000) as failed:
        QTest.keyClick(page.trainee_view, Qt.Key.Key_F5, Qt.KeyboardModifier.ControlModifier)
    assert failed.args == ["练习成绩加载失败：登录已过期，请重新登录。"]


def test_the_page_fits_1280_by_720(qtbot: Any, server: EmbeddedServer, tasks: TaskManager) -> None:
    page = make_page(qtbot, api_as(server, "3001"), tasks)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.set_range(START, END)
    page.show()
    qtbot.waitExposed(page)
    hint = page.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 610, hint
    view = page.trainee_view
    assert view.horizontalScrollBar().maximum() == 0  # every column in view
    assert view.verticalScrollBar().maximum() == 0  # three trainees: no scrolling
    for chart in (page.weekly, page.skill_bars):
        assert chart.height() >= 150 and chart.isVisible()

"""The scenario editor: what the trainer types (Chinese, through the input method) becomes the POST body of the
plan's API; local problems show at their fields and send nothing; someone else's newer version is never
overwritten; the server's personal-data refusal is said at the lines; the lines move by keys; it fits 1280×720."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from operator_app.errors import SyncError, SyncErrorKind
from tests.ui.conftest import type_ascii, type_chinese
from tests.ui.training_manage_fakes import FakeApi, demo_city, library_api, scenario, wait_calls
from ui.common.tasks import TaskManager
from ui.training.manage.scenario_editor import ScenarioEditor
from ui.training.manage.scenario_list import ScenarioLibrary

SCENARIOS = "/api/v1/practice/scenarios"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def open_editor(qtbot: Any, tasks: TaskManager, api: FakeApi, body: dict[str, Any] | None = None,
                article_title: Any = None) -> ScenarioEditor:
    editor = ScenarioEditor(api=api, tasks=tasks, city=demo_city(), body=body, article_title=article_title)
    qtbot.addWidget(editor, before_close_func=lambda w: w.discard())  # a test's typing is dropped unasked
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=5000)
    return editor


def type_line(qtbot: Any, editor: ScenarioEditor, row: int, text: str, after: str = "0") -> None:
    table = editor.lines.table
    table.item(row, 0).setText(text)  # a cell's editor is a plain QLineEdit: set as its commit would
    table.item(row, 1).setText(after)


def test_the_editor_posts_what_the_trainer_typed(qtbot: Any, tasks: TaskManager) -> None:
    api = FakeApi({("POST", SCENARIOS): lambda call: {**call.json_body, "id": "s-9", "status": "draft",
                                                      "updated_at": "2026-12-05T10:00:00+08:00"}})
    editor = open_editor(qtbot, tasks, api, article_title=lambda aid: {"demo-001": "供暖收费标准"}.get(aid))
    type_chinese(editor.title_edit, "独居老人家中停水")
    editor.difficulty.setCurrentIndex(editor.difficulty.findData(2))
    editor.time_limit.setValue(240)
    type_chinese(editor.caller_name, "王大爷")
    type_ascii(editor.caller_phone, "13900000777")
    editor.caller_needs["elderly"].setChecked(True)  # marks the key's need too
    type_chinese(editor.caller_note, "耳背，需要大声说话")
    type_line(qtbot, editor, 0, "喂，我是【姓名】，家里从早上就没水了。")
    editor.lines.table.setCurrentCell(0, 0)
    editor.lines.table.setFocus()
    QTest.keyClick(editor.lines.table, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(editor.lines.table.focusWidget() or editor.lines.table, Qt.Key.Key_Escape)
    type_line(qtbot, editor, 1, "我住在东湖区，回电打【电话】。", "10")
    key = editor.key
    type_chinese(key.category, "城乡建设/供水")
    key.appeal_type.setCurrentIndex(key.appeal_type.findData("help"))
    key.urgency.setCurrentIndex(key.urgency.findData("urgent"))
    key.disposition.setCurrentIndex(key.disposition.findData("dispatch"))
    key.lead.setCurrentIndex(key.lead.findText("市城市管理综合执法局"))
    key.district.setCurrentIndex(key.district.findData("donghu"))
    key.street.setCurrentText("湖滨街道")
    key.required["phone"].setChecked(True)
    key.required["address"].setChecked(True)
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [post] = wait_calls(qtbot, api, "POST", SCENARIOS)
    assert post.json_body == {
        "id": "", "version": 1, "title": "独居老人家中停水", "difficulty": 2, "time_limit_seconds": 240,
        "source": "authored", "tags": [],
        "caller": {"name": "王大爷", "phone": "13900000777", "special_needs": ["elderly"], "note": "耳背，需要大声说话"},
        "lines": [{"text": "喂，我是【姓名】，家里从早上就没水了。", "after_seconds": 0.0},
                  {"text": "我住在东湖区，回电打【电话】。", "after_seconds": 10.0}],
        "key": {"category": "城乡建设/供水", "appeal_type": "help", "disposition": "dispatch",
                "urgency": "urgent", "lead_department": key.lead.currentData(), "cooperating_departments": [],
                "district": "donghu", "street": "湖滨街道", "special_needs": ["elderly"],
                "required_fields": ["phone", "address"], "kb_article": ""},
    }
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=5000)


def test_a_direct_answer_cites_an_article_with_its_title(qtbot: Any, tasks: TaskManager) -> None:
    api = FakeApi()
    body = scenario("s-1", "供暖费咨询", "城乡建设/物业管理/物业收费", disposition="direct")
    editor = open_editor(qtbot, tasks, api, body, article_title=lambda aid: {"demo-001": "供暖收费标准"}.get(aid))
    assert editor.key.article.isEnabled()
    type_ascii(editor.key.article, "demo-001")
    editor.key.article.editingFinished.emit()
    qtbot.waitUntil(lambda: editor.key.article_name.text() == "供暖收费标准", timeout=5000)
    editor.key.article.setText("nope")
    editor.key.article.editingFinished.emit()
    qtbot.waitUntil(lambda: "没有这篇文章" in editor.key.article_name.text(), timeout=5000)
    editor.key.disposition.setCurrentIndex(editor.key.disposition.findData("dispatch"))
    assert not editor.key.article.isEnabled() and editor.key.body()["kb_article"] == ""


def test_local_problems_show_at_their_fields_and_nothing_is_sent(qtbot: Any, tasks: TaskManager) -> None:
    api = FakeApi()
    editor = open_editor(qtbot, tasks, api)
    type_chinese(editor.key.category, "不存在的分类")
    type_line(qtbot, editor, 0, "有话要说", "快一点")
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.boxes["title"].error_text() == "不能为空"
    assert "没有这个分类" in editor.boxes["key.category"].error_text()
    assert "第 1 句：间隔秒数应为数字" in editor.boxes["lines"].error_text()
    assert "处需要修改" in editor.message.text()
    qtbot.wait(200)
    assert api.calls == [] and editor.isVisible()
    type_chinese(editor.title_edit, "标题")
    editor.key.category.clear()
    type_line(qtbot, editor, 0, "有话要说", "0")
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.boxes["title"].error_text() == ""
    assert editor.boxes["key.category"].error_text() == "不能为空"  # Scenario.from_dict's own words
    assert api.calls == []


def test_someone_elses_newer_version_is_not_overwritten(qtbot: Any, tasks: TaskManager,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    newer = scenario("s-noise", "夜间工地施工噪音（别人改过）", "环境保护/噪音扰民/施工噪音", version=4)
    api = library_api([scenario("s-noise", "夜间工地施工噪音", "环境保护/噪音扰民/施工噪音", version=3)])
    api.routes[("PUT", f"{SCENARIOS}/s-noise")] = SyncError(SyncErrorKind.REJECTED, "stale", code="version_conflict")
    api.routes[("GET", f"{SCENARIOS}/s-noise")] = newer
    library = ScenarioLibrary(api=api, tasks=tasks, me=demo_city().roster["3001"], city=demo_city())
    qtbot.addWidget(library)
    library.show()
    qtbot.waitUntil(lambda: library.table.rowCount() == 1, timeout=5000)
    library.select("s-noise")
    library.edit_selected()
    editor = library.editor
    assert isinstance(editor, ScenarioEditor)
    qtbot.waitUntil(editor.isActiveWindow, timeout=5000)
    editor.title_edit.clear()
    type_chinese(editor.title_edit, "我的改动")
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0))
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [put] = wait_calls(qtbot, api, "PUT", f"{SCENARIOS}/s-noise")
    assert put.json_body["version"] == 3 and put.json_body["title"] == "我的改动"
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    assert "别人已经保存了这个场景的新版本" in editor.message.text()
    assert editor.isVisible() and editor.title_edit.text() == "我的改动"  # "No": the typed text stays
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_calls(qtbot, api, "PUT", f"{SCENARIOS}/s-noise", 2)
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)
    wait_calls(qtbot, api, "GET", f"{SCENARIOS}/s-noise")
    qtbot.waitUntil(lambda: library.editor is not editor, timeout=5000)
    reopened = library.editor
    assert isinstance(reopened, ScenarioEditor) and reopened.version == 4
    assert reopened.title_edit.text() == "夜间工地施工噪音（别人改过）"
    reopened.reject()


def test_personal_data_is_found_before_sending_and_said_at_its_line(qtbot: Any, tasks: TaskManager) -> None:
    api = FakeApi()
    body = scenario("", "测试", "环境保护/噪音扰民/施工噪音")
    body["lines"] = [{"text": "你好，我的电话是【电话】", "after_seconds": 0},
                     {"text": "我另一个号码是139 1234 5678", "after_seconds": 0}]
    editor = open_editor(qtbot, tasks, api, body)
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.boxes["lines"].error_text().startswith("第 2 句：像是真实的电话")
    assert editor.lines.table.currentRow() == 1
    qtbot.wait(200)
    assert api.calls == []


def test_the_servers_personal_data_refusal_is_said_at_the_lines_it_names(qtbot: Any, tasks: TaskManager) -> None:
    refusal = SyncError(SyncErrorKind.REJECTED, "personal data (names, phones, ID numbers, plates, house numbers) in "
                        "lines[1].text: replace them with placeholders such as 【姓名】 and 【电话】",
                        code="personal_data")
    api = FakeApi({("POST", SCENARIOS): refusal})
    body = scenario("", "测试", "环境保护/噪音扰民/施工噪音")
    body["lines"] = [{"text": "你好", "after_seconds": 0}, {"text": "我住那个地方", "after_seconds": 0}]
    editor = open_editor(qtbot, tasks, api, body)
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_calls(qtbot, api, "POST", SCENARIOS)
    qtbot.waitUntil(lambda: bool(editor.boxes["lines"].error_text()), timeout=5000)
    assert editor.boxes["lines"].error_text().startswith("第 2 句：像是真实的个人信息")
    assert "真实个人信息" in editor.message.text() and editor.isVisible()


def test_the_citys_checks_show_at_their_fields(qtbot: Any, tasks: TaskManager) -> None:
    """contract/practice/check.py: a street of another district, and the key's own words."""
    body = scenario("s-1", "标题", "环境保护/噪音扰民/施工噪音")
    body["key"]["street"] = "不存在的街道"
    editor = open_editor(qtbot, tasks, FakeApi(), body)
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "不存在的街道" in editor.boxes["key.district"].error_text()


def test_lines_are_added_moved_and_removed_by_keys(qtbot: Any, tasks: TaskManager) -> None:
    body = scenario("s-1", "三句话", "环境保护/噪音扰民/施工噪音")
    body["lines"] = [{"text": "一", "after_seconds": 0}, {"text": "二", "after_seconds": 5}]
    editor = open_editor(qtbot, tasks, FakeApi(), body)
    table = editor.lines.table

    def texts() -> list[str]:
        return [table.item(r, 0).text() for r in range(table.rowCount())]

    table.setFocus()
    table.setCurrentCell(1, 0)
    QTest.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert texts() == ["二", "一"] and table.currentRow() == 0
    assert table.item(0, 1).text() == "5"  # the delay moves with its line
    QTest.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert texts() == ["一", "二"]
    QTest.keyClick(table, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    assert texts() == ["一", "二", ""] and table.currentRow() == 2
    QTest.keyClick(table.focusWidget() or table, Qt.Key.Key_Escape)
    table.setFocus()
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert texts() == ["二", ""]
    assert editor.lines.lines()[0] == [{"text": "二", "after_seconds": 5.0}]  # the blank row is left out
    assert "【姓名】" in editor.findChild(type(editor.message), "linesHint").text()


def test_the_editor_fits_a_1280_by_720_screen(qtbot: Any, tasks: TaskManager) -> None:
    editor = open_editor(qtbot, tasks, FakeApi(), scenario("s-1", "标题", "环境保护/噪音扰民/施工噪音"))
    hint = editor.minimumSizeHint()
    assert hint.width() <= 1260 and hint.height() <= 680, hint
    assert editor.width() <= 1280 and editor.height() <= 700


def test_closing_with_unsaved_changes_asks_first(qtbot: Any, tasks: TaskManager,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    editor = open_editor(qtbot, tasks, FakeApi(), scenario("s-1", "标题", "环境保护/噪音扰民/施工噪音"))
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or answers.pop(0))
    type_chinese(editor.title_edit, "改")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert len(asked) == 1 and "未保存的修改" in asked[0]
    assert editor.isVisible() and editor.title_edit.text() == "标题改"  # "No": nothing lost
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()


def test_closing_an_unchanged_scenario_asks_nothing(qtbot: Any, tasks: TaskManager,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    editor = open_editor(qtbot, tasks, FakeApi(), scenario("s-1", "标题", "环境保护/噪音扰民/施工噪音"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked about an unchanged scenario"))
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()

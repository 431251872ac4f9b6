"""A trainee plays a scenario in the practice window through the desk's real form: the caller's lines come with F6,
the answer is typed and picked, Ctrl+Enter submits; the result names each skill right or wrong with the right
answer. An invalid form shows its errors at the fields and records nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from contract.practice.scoring import load_weights, score_attempt
from operator_app.paths import resources_dir
from operator_app.practice import history
from tests.ui.conftest import type_ascii, type_chinese
from tests.ui.practice_steps import NOISE, fill_noise_case, start_scenario, submit_with_keys
from ui.shell.desk_window import DeskWindow
from ui.training.practice import voice
from ui.training.practice.window import PracticeWindow


def test_a_scenario_played_through_the_real_form_is_scored_field_by_field(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    window = start_scenario(qtbot, desk, NOISE)
    scenario = window.scenarios[0]
    assert window.windowTitle().startswith("【练习模式】")
    assert window.banner.text().startswith("练习模式 · 非真实工单 · 不会派单") and window.banner.isVisible()
    assert window.assembly.routing.isVisible()  # an exercise: the routing suggestions are there
    assert len(window.caller.revealed()) == 1  # the caller speaks first
    for _ in range(len(scenario.lines) - 1):
        QTest.keyClick(window, Qt.Key.Key_F6)
    lines = window.caller.revealed()
    assert len(lines) == len(scenario.lines)
    assert scenario.caller.phone in lines[-1] and "【电话】" not in lines[-1]  # the placeholder is the profile's
    QTest.keyClick(window, Qt.Key.Key_F6)  # no more lines: nothing happens
    assert len(window.caller.revealed()) == len(scenario.lines)

    fill_noise_case(qtbot, window, scenario, cooperating=False)
    answers = window.form.form_input()
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)

    rows = window.result.row_texts()  # skill -> [✓/✗, points, given, expected]
    assert rows["问题分类"][0] == "✓" and rows["问题分类"][3] == "环境保护 / 噪音扰民 / 施工噪音"
    assert rows["主办单位"][0] == "✓" and rows["主办单位"][2:] == ["市城市管理综合执法局"] * 2
    assert rows["协办单位"][0] == "✗" and rows["协办单位"][2] == "（未填）"
    assert rows["协办单位"][3] == "市住房和城乡建设局"  # the right answer, by name
    assert rows["所属区县"][0] == "✓" and rows["所属区县"][3] == "东湖区"
    assert rows["诉求类型"][2:] == ["投诉", "投诉"]
    assert rows["处理方式"][3] == "派单"
    assert rows["必填信息"][0] == "✓"
    # The total is exactly the shared scoring of what was typed (seconds as the window measured them).
    stored = history(window.pstore, "1001")  # type: ignore[arg-type]
    assert len(stored) == 1 and stored[0].number.startswith("练-")
    expected = score_attempt(scenario, answers, desk.seat.city, seconds=stored[0].seconds,
                             weights=load_weights(resources_dir()), cited=())
    assert stored[0].score.total == expected.total < 100
    assert window.result.total.text() == f"总分 {expected.total:g}"
    assert stored[0].number in window.result.heading.text()
    assert stored[0].answers.content == answers.content and stored[0].suggestions_shown

    QTest.keyClick(window.result.table, Qt.Key.Key_Return)  # Enter: the next one (here the same scenario again)
    assert window.stack.currentWidget() is window.play
    assert window.form.form_input().content == "" and len(window.caller.revealed()) == 1


def test_a_right_answer_scores_everything_right(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    window = start_scenario(qtbot, desk, NOISE)
    fill_noise_case(qtbot, window, window.scenarios[0], cooperating=True)
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    rows = window.result.row_texts()
    assert all(cells[0] == "✓" for cells in rows.values()), rows
    assert window.result.total.text() == "总分 100"
    QTest.keyClick(window.result.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    page = desk.pages["practice"]
    qtbot.waitUntil(lambda: page.history_table.rowCount() == 1, timeout=5000)  # 我的最近成绩
    assert page.history_table.item(0, 2).text() == "100"  # type: ignore[union-attr]


def test_an_invalid_form_shows_errors_at_fields_and_records_nothing(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    window = start_scenario(qtbot, desk, NOISE)
    type_ascii(window.form.caller.phone, "12345")
    type_chinese(window.form.appeal.content.edit, "工地半夜施工")
    submit_with_keys(window)
    fields = window.form.fields
    assert fields["phone"].error_text() == "手机号码应为以1开头的11位数字"
    assert fields["appeal_type"].error_text() == "请选择诉求类型"
    assert fields["category"].error_text() == "请选择问题分类（三级）"
    assert window.form.summary.isVisible()
    qtbot.wait(200)
    assert window.stack.currentWidget() is window.play
    assert history(window.pstore, "1001") == []  # type: ignore[arg-type]


def test_without_a_speech_engine_the_lines_are_read_and_nothing_breaks(qtbot, desk: DeskWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(voice, "_qt_speech", lambda _parent: None)
    monkeypatch.setattr(voice, "espeak_program", lambda: None)
    window = start_scenario(qtbot, desk, NOISE)
    assert not window.voice.available and not window.speak_toggle.isVisible()
    QTest.keyClick(window, Qt.Key.Key_F7)  # the 朗读 key does nothing
    QTest.keyClick(window, Qt.Key.Key_F6)
    assert not window.voice.enabled and len(window.caller.revealed()) == 2


def test_with_a_speech_program_the_toggle_speaks_each_new_line(qtbot, desk: DeskWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spoken: list[list[str]] = []

    class FakeProcess:
        def __init__(self, args: list[str], **_kw: object) -> None:
            spoken.append(args)

        def poll(self) -> int:
            return 0

    monkeypatch.setattr(voice, "_qt_speech", lambda _parent: None)
    monkeypatch.setattr(voice, "espeak_program", lambda: "/usr/bin/espeak-ng")
    monkeypatch.setattr(voice.subprocess, "Popen", FakeProcess)
    window = start_scenario(qtbot, desk, NOISE)
    assert window.speak_toggle.isVisible()
    QTest.keyClick(window, Qt.Key.Key_F7)
    assert window.speak_toggle.isChecked()
    QTest.keyClick(window, Qt.Key.Key_F6)
    assert spoken and spoken[-1][-1] == window.scenarios[0].render(window.scenarios[0].lines[1].text)


def test_lines_with_a_delay_come_by_themselves(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from contract.practice.scenario import Line

    page = desk.pages["practice"]
    window = start_scenario(qtbot, desk, NOISE)
    timed = replace(window.scenarios[0], lines=(Line("第一句"), Line("第二句", after_seconds=0.2)))
    window.close()
    window = page.start([timed], None)  # type: ignore[attr-defined]
    assert isinstance(window, PracticeWindow)
    assert window.caller.revealed() == ["来电人：第一句"]
    qtbot.waitUntil(lambda: len(window.caller.revealed()) == 2, timeout=3000)


def test_a_direct_answer_cites_the_article_and_the_result_opens_it(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    from contract.practice.scenario import AnswerKey, CallerProfile, Line, Scenario
    from tests.ui.practice_steps import choose, pick_category, practice_page
    from tests.ui.test_practice_isolation import load_demo_kb
    from ui.kb.viewer import ArticleViewer

    load_demo_kb(desk.seat.data_dir)
    scenario = Scenario(
        id="t-direct", title="灵活就业参保咨询", lines=(Line("我现在打零工，想自己交养老保险，怎么办？"),),
        caller=CallerProfile(name="李先生", phone="13900000199"),
        key=AnswerKey(category="劳动和社会保障/养老保险/参保缴费", appeal_type="consult", disposition="direct",
                      kb_article="demo-001"))
    page = practice_page(qtbot, desk)
    window = page.start([scenario], None)
    assert window is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    type_ascii(window.form.caller.phone, "13900000199")
    choose(window.form.appeal.appeal_type, "咨询")
    pick_category(qtbot, window, "参保缴费", "劳动和社会保障/养老保险/参保缴费")
    type_chinese(window.form.appeal.content.edit, "来电人打零工，咨询灵活就业人员如何参加养老保险")
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # the knowledge base's search
    search = window.assembly.kb.search
    assert search.search.hasFocus()
    type_chinese(search.search, "灵活就业")
    qtbot.waitUntil(lambda: search.current_hit() is not None, timeout=5000)
    ids = [search.model.hit(i).id for i in range(search.model.rowCount())]  # type: ignore[union-attr]
    search.results.setFocus()
    for _ in range(ids.index("demo-001")):
        QTest.keyClick(search.results, Qt.Key.Key_Down)
    assert search.current_hit().id == "demo-001"  # type: ignore[union-attr]
    QTest.keyClick(window, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)  # cite it (F6 is the next line here)
    qtbot.waitUntil(lambda: window.form.disposition.answer.toPlainText() != "", timeout=5000)
    assert window.form.disposition.buttons["direct"].isChecked()
    submit_with_keys(window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=5000)
    rows = window.result.row_texts()
    assert rows["引用知识库"][0] == "✓" and rows["引用知识库"][3] == "《灵活就业人员如何参加职工养老保险》"
    assert window.result.article.text() == "答复依据：《灵活就业人员如何参加职工养老保险》"
    window.result.article_button.setFocus()
    assert window.result.article_button.hasFocus()
    QTest.keyClick(window.result.article_button, Qt.Key.Key_Return)  # Enter on the article's button opens it
    qtbot.waitUntil(lambda: isinstance(window.assembly.kb.viewer, ArticleViewer)
                    and window.assembly.kb.viewer.isVisible(), timeout=5000)
    assert window.assembly.kb.viewer.article.id == "demo-001"  # type: ignore[union-attr]

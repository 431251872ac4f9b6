"""The operator's desk as a new user found it (issue 17): taking suggestions, the panel's layout, what a new case
resets, the "my cases" search key and errors at fields."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from operator_app.routing.record import RoutingSnapshot
from operator_app.routing.suggest import Suggestion
from ui.common.shortcuts import shortcut_rows
from ui.shell.desk_window import DeskWindow

NOISE_LEAF = "环境保护/噪音扰民/施工噪音"


def _suggestion(category: str, lead: str, confidence: float = 0.8) -> Suggestion:
    return Suggestion(category=category, lead_department_id=lead, cooperating_ids=(), district_id=None,
                      confidence=confidence, reasons=("关键词：施工、噪音、夜间",))


def _show(desk: DeskWindow, *suggestions: Suggestion) -> None:
    """Put these suggestions on the panel as a finished computation does."""
    desk.routing._generation += 1
    desk.routing._show(desk.routing._generation, RoutingSnapshot("test", tuple(suggestions)))


def _choose(desk: DeskWindow, leaf: str, lead_name: str) -> None:
    desk.form.appeal.category.set_path(leaf)
    desk.form.disposition.buttons["dispatch"].setChecked(True)
    desk.form.disposition.lead.setCurrentText(lead_name)


def test_a_top_level_suggestion_keeps_a_leaf_the_operator_chose(desk: DeskWindow) -> None:
    city = desk.seat.city
    _choose(desk, NOISE_LEAF, city.departments["sthjj"].name)
    _show(desk, _suggestion("城乡建设", "zjj"))
    QTest.keyClick(desk, Qt.Key.Key_F4)
    form = desk.form
    assert form.appeal.category.path() == NOISE_LEAF  # not "城乡建设/"
    assert form.disposition.lead.currentText() == city.departments["sthjj"].name  # nor its unit
    assert "城乡建设" in desk.statusBar().currentMessage()  # the operator is told why nothing changed


def test_a_suggestion_in_the_chosen_branch_keeps_the_leaf_and_sets_the_unit(desk: DeskWindow) -> None:
    city = desk.seat.city
    _choose(desk, NOISE_LEAF, "")
    _show(desk, _suggestion("环境保护", "sthjj"))
    QTest.keyClick(desk, Qt.Key.Key_F4)
    assert desk.form.appeal.category.path() == NOISE_LEAF
    assert desk.form.disposition.lead.currentText() == city.departments["sthjj"].name


def test_a_leaf_suggestion_is_taken_whole_and_an_empty_category_gets_the_branch(desk: DeskWindow) -> None:
    _show(desk, _suggestion("城乡建设/物业管理/物业收费", "zjj"))
    QTest.keyClick(desk, Qt.Key.Key_F4)
    assert desk.form.appeal.category.path() == "城乡建设/物业管理/物业收费"
    desk.form.appeal.category.setText("")
    _show(desk, _suggestion("环境保护", "sthjj"))
    QTest.keyClick(desk, Qt.Key.Key_F4)
    assert desk.form.appeal.category.text() == "环境保护 / "  # the operator picks the leaf from the list


def test_each_suggestion_has_its_key_and_takes_a_click(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    city = desk.seat.city
    _show(desk, _suggestion("环境保护", "sthjj"), _suggestion("城乡建设", "zjj", 0.5),
          _suggestion("城市管理", "cgj", 0.3))
    QTest.keyClick(desk, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert desk.form.disposition.lead.currentText() == city.departments["zjj"].name
    assert desk.form.appeal.category.text() == "城乡建设 / "
    desk.form.appeal.category.setText("")
    row = desk.routing.rows[2]
    QTest.mouseClick(row.title, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert desk.form.disposition.lead.currentText() == city.departments["cgj"].name
    assert "Alt+1" in desk.routing.title() and row.title.text().startswith("3. ")
    keys = dict(shortcut_rows())
    assert {"Alt+1", "Alt+2", "Alt+3"} <= set(keys)


def _rect_in(widget, ancestor):  # type: ignore[no-untyped-def]
    return widget.geometry().translated(widget.parentWidget().mapTo(ancestor, widget.parentWidget().rect().topLeft()))


@pytest.mark.parametrize("height", [800, 720, 600])
def test_keywords_never_cover_the_confidence_bar(qtbot, desk: DeskWindow, height: int) -> None:  # type: ignore[no-untyped-def]
    desk.resize(1280, height)
    long_reasons = ("关键词：施工、噪音、夜间、工地、小区、对面、老人、睡觉、星期、扰民", "区县：东湖区（地址中的“湖滨街道”）")
    rows = [Suggestion(category=c, lead_department_id=lead, cooperating_ids=("zjj", "cgj"), district_id=None,
                       confidence=conf, reasons=long_reasons)
            for c, lead, conf in (("环境保护", "sthjj", 0.66), ("城乡建设", "zjj", 0.26), ("商贸旅游", "cgj", 0.02))]
    _show(desk, *rows)
    qtbot.wait(200)
    panel = desk.routing
    shown = [r for r in panel.rows if r.isVisible()]
    assert len(shown) == 3
    parts = [_rect_in(w, panel) for r in shown for w in (r.title, r.bar, r.why)]
    for label in (w for r in shown for w in (r.title, r.why)):  # a squeezed label's text runs over the next one
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    for i, a in enumerate(parts):
        assert a.height() > 0
        for b in parts[i + 1:]:
            assert not a.intersects(b), (a, b)


def test_a_new_case_starts_with_a_neutral_hint_and_an_empty_kb_search(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    _show(desk, _suggestion("环境保护", "sthjj", confidence=0.3))
    hint = desk.routing.hint
    assert hint.property("low") is True and hint.isVisible()
    desk.kb.search.search.setText("噪音扰民")
    QTest.keyClick(desk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # 清空 / 新建工单
    assert not hint.property("low") and "置信度低" not in hint.text()
    assert desk.kb.search.search.text() == ""
    _show(desk, _suggestion("环境保护", "sthjj", confidence=0.3))
    desk.kb.search.search.setText("噪音扰民")
    desk.routing.reset()  # as after a submit (then 继续受理), with the kb column cleared alongside
    desk.kb.clear()
    assert not hint.property("low") and desk.kb.search.search.text() == ""


def test_enter_in_the_my_cases_search_opens_the_match(qtbot, seat, city) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from operator_app.services.intake import submit_case
    from tests.core.helpers import direct_form
    from tests.ui.test_case_table import InlineTasks
    from ui.cases.list_view import CaseListView
    from ui.cases.table_model import CaseTableModel

    first = submit_case(seat.store, city, form=direct_form(city), operator_id="1001", now=datetime.now(UTC))
    second = submit_case(seat.store, city, form=direct_form(city), operator_id="1001", now=datetime.now(UTC))
    model = CaseTableModel(seat.store, city, InlineTasks())  # type: ignore[arg-type]
    view = CaseListView(model, operator_id="1001", shift_start="")
    qtbot.addWidget(view)
    view.apply_filter()
    view.search.setFocus()
    QTest.keyClicks(view.search, second.number)
    with qtbot.waitSignal(view.open_case, timeout=1000) as opened:  # before the typing pause ran the search
        QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert opened.args == [second.case_id]
    view.search.setText(first.number)
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.rows[0].number == first.number, timeout=2000)
    with qtbot.waitSignal(view.open_case, timeout=1000) as opened:
        QTest.keyClick(view.search, Qt.Key.Key_Enter)
    assert opened.args == [first.case_id]


def test_a_fixed_field_loses_its_error_and_the_form_does_not_move(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.conftest import type_ascii

    form = desk.form
    type_ascii(form.caller.phone, "12345")
    desk.submit()
    fields = form.fields
    assert fields["phone"].error_text() and fields["category"].error_text() and fields["appeal_type"].error_text()
    qtbot.wait(50)
    below_phone = form.caller.callback.mapTo(form, form.caller.callback.rect().topLeft())
    below_category = form.appeal.district.mapTo(form, form.appeal.district.rect().topLeft())
    type_ascii(form.caller.phone, "678901")  # 12345678901: a valid number now
    assert fields["phone"].error_text() == ""
    form.appeal.category.set_path(NOISE_LEAF)  # picked from the list
    assert fields["category"].error_text() == ""
    assert fields["appeal_type"].error_text() == "请选择诉求类型"  # untouched: its error stays
    qtbot.wait(50)
    assert form.caller.callback.mapTo(form, form.caller.callback.rect().topLeft()) == below_phone
    assert form.appeal.district.mapTo(form, form.appeal.district.rect().topLeft()) == below_category
    form.appeal.appeal_type.setCurrentIndex(1)
    assert fields["appeal_type"].error_text() == ""

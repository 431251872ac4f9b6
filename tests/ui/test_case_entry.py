"""An operator types a case (Chinese through the input method) and submits it from the keyboard."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from operator_app.services.case_queries import outbox_summary
from operator_app.store import schema
from tests.ui.conftest import type_ascii, type_chinese
from ui.shell.desk_window import DeskWindow

CONTENT = "小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉。"


def pick_category(qtbot, desk: DeskWindow, words: str) -> str:  # type: ignore[no-untyped-def]
    picker = desk.form.appeal.category
    type_chinese(picker, words)
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    return picker.path()


def fill_dispatch_case(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    form = desk.form
    type_chinese(form.caller.name, "王秀英")
    type_ascii(form.caller.phone, "13800138000")
    form.caller.needs["elderly"].setFocus()
    QTest.keyClick(form.caller.needs["elderly"], Qt.Key.Key_Space)
    form.appeal.appeal_type.setFocus()
    QTest.keyClick(form.appeal.appeal_type, Qt.Key.Key_Down)  # 请选择 → 咨询
    QTest.keyClick(form.appeal.appeal_type, Qt.Key.Key_Down)  # → 求助
    path = pick_category(qtbot, desk, "噪音")
    assert desk.seat.city.categories.is_leaf(path), path
    form.appeal.district.setFocus()
    QTest.keyClick(form.appeal.district, Qt.Key.Key_Down)
    type_chinese(form.appeal.content.edit, CONTENT)
    form.disposition.buttons["dispatch"].setFocus()
    QTest.keyClick(form.disposition.buttons["dispatch"], Qt.Key.Key_Space)
    lead = next(iter(desk.seat.city.departments.values())).name
    type_chinese(form.disposition.lead.lineEdit(), lead)


def test_case_typed_in_chinese_is_queued_and_listed(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    fill_dispatch_case(qtbot, desk)
    assert desk.form.appeal.content.edit.toPlainText() == CONTENT
    assert "内响应" in desk.form.disposition.deadline.text()
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(desk.form.appeal.content.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = blocker.args[0]
    assert desk.number_dialog is not None and desk.number_dialog.isVisible()
    assert desk.number_dialog.number_label.text() == result.number
    QTest.keyClick(desk.number_dialog, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == result.number

    # In "my cases", with the phone masked.
    qtbot.waitUntil(lambda: any(r.number == result.number for r in desk.model.rows), timeout=5000)
    row = next(r for r in desk.model.rows if r.number == result.number)
    assert row.phone == "138****8000" and row.caller == "王*英" and row.special_needs == "elderly"
    # In the outbox, in the same transaction as the case and its event.
    summary = outbox_summary(desk.seat.store)
    assert summary.pending == 1
    with desk.seat.store.read() as conn:
        out = conn.execute(select(schema.outbox)).one()
        events = conn.execute(select(schema.case_events.c.kind).where(
            schema.case_events.c.case_id == result.case_id)).scalars().all()
    assert out.entity_id == result.case_id and out.operator_id == "1001" and events == ["created"]
    assert json.loads(out.args_json)["event"]["payload"]["fields"]["content"] == CONTENT
    qtbot.waitUntil(lambda: "待同步 1 条" in desk.sync_indicator.text(), timeout=3000)
    # The form is empty again for the next caller.
    assert desk.form.appeal.content.edit.toPlainText() == ""


def test_validation_errors_shown_at_fields_in_chinese(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    type_ascii(desk.form.caller.phone, "12345")
    type_chinese(desk.form.appeal.content.edit, "灯坏了")
    desk.submit()
    fields = desk.form.fields
    assert fields["phone"].error_text() == "手机号码应为以1开头的11位数字"
    assert fields["appeal_type"].error_text() == "请选择诉求类型"
    assert fields["category"].error_text() == "请选择问题分类（三级）"
    assert fields["disposition"].error_text() == "请选择处理方式"
    assert fields["content"].error_text() == ""
    assert desk.form.summary.isVisible() and "4 处" in desk.form.summary.text()
    assert QApplication.focusWidget() is desk.form.caller.phone
    assert outbox_summary(desk.seat.store).pending == 0


def test_hundred_thousand_character_paste(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    fill_dispatch_case(qtbot, desk)
    desk.form.appeal.content.edit.selectAll()
    desk.form.appeal.content.edit.insertPlainText("噪" * 100_000)
    assert desk.form.appeal.content.counter.text() == "100000 / 5000 字"
    assert desk.form.appeal.content.counter.property("over") is True
    desk.submit()
    assert desk.form.fields["content"].error_text() == "诉求内容最多5000字，当前100000字"
    assert QApplication.focusWidget() is desk.form.appeal.content.edit
    assert outbox_summary(desk.seat.store).pending == 0


def test_emoji_and_control_characters_at_the_field(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    fill_dispatch_case(qtbot, desk)
    type_chinese(desk.form.appeal.address, "幸福小区😀")
    desk.form.caller.name.setText("王\x07秀英")
    desk.submit()
    assert desk.form.fields["address"].error_text() == "详细地址不能包含表情符号，承办单位系统无法保存"
    assert "控制字符" in desk.form.fields["caller_name"].error_text()
    assert outbox_summary(desk.seat.store).pending == 0


def test_direct_answer_requires_answer_text(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    fill_dispatch_case(qtbot, desk)
    desk.form.disposition.buttons["direct"].setChecked(True)
    assert desk.form.disposition.answer.isEnabled() and not desk.form.disposition.lead.isEnabled()
    desk.submit()
    assert desk.form.fields["answer"].error_text() == "请填写答复内容"
    type_chinese(desk.form.disposition.answer, "已告知办理流程")
    with qtbot.waitSignal(desk.case_submitted, timeout=5000) as blocker:
        desk.submit()
    assert blocker.args[0].finish_by == ""

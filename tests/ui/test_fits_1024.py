"""On a 1024×700 screen the intake desk fits: the window is no wider than the screen, nothing inside the intake
page scrolls sideways, and every field of the case form shows whole inside the window; the assist column's
keys still work when it is not on screen."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from contract.case_fields import CaseInput
from operator_app.routing.record import RoutingSnapshot
from operator_app.routing.suggest import Suggestion
from ui.shell.desk_window import DeskWindow


def settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of `widget` (in window coordinates) not clipped by any ancestor, the window included."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


def test_the_intake_desk_fits_1024_by_700(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    desk.resize(1024, 700)
    district = next(iter(desk.seat.city.districts.values()))
    desk.form.load(CaseInput(
        caller_name="王秀英", phone="0731-84561234", special_needs=("elderly", "dialect"), appeal_type="complaint",
        category="环境保护/噪音扰民/施工噪音", district=district.name, street=district.streets[1],
        address="幸福小区3栋", content="小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉。",
        request="要求夜间停止施工", disposition="dispatch", lead_department="市城市管理综合执法局"))
    settle(qtbot)
    assert desk.width() <= 1024 and desk.height() <= 700
    page = desk.intake_page()
    for area in page.findChildren(QScrollArea):
        if area.isVisible():
            assert not area.horizontalScrollBar().isVisible(), area.objectName()
    form_area = desk.form.findChild(QScrollArea)
    assert form_area is not None
    for name, box in desk.form.fields.items():
        for widget in (box.field, box.focus_target):  # the street's box holds a placeholder; its combo is the input
            if not widget.isVisible() or widget.size().isEmpty():
                continue
            form_area.ensureWidgetVisible(widget, 0, 0)  # a field below may be scrolled to, never cut at the side
            settle(qtbot)
            shown = visible_rect(widget, desk)
            assert shown.size() == widget.size(), (name, shown, widget.size())


def test_esc_in_the_wide_desks_search_still_clears_it(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(desk, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(desk.kb.search.search, "zy")
    qtbot.keyClick(desk.kb.search.search, Qt.Key.Key_Escape)
    assert desk.kb.search.search.text() == ""


def test_the_assist_keys_work_on_a_narrow_desk(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+K reaches the knowledge-base search, Esc comes back to the form, Alt+2 takes the second suggestion
    while the column is out of sight."""
    desk.resize(1024, 700)
    settle(qtbot)
    qtbot.keyClick(desk, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert desk.kb.search.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and desk.kb.search.isAncestorOf(QApplication.focusWidget()), timeout=3000)
    qtbot.keyClicks(desk.kb.search.search, "zy")
    qtbot.keyClick(desk.kb.search.search, Qt.Key.Key_Escape)  # the first Esc clears the search, as on a wide desk
    settle(qtbot)
    assert desk.kb.search.search.text() == "" and desk.kb.search.isVisible()
    qtbot.keyClick(desk.kb.search.search, Qt.Key.Key_Escape)
    settle(qtbot)
    assert desk.form.appeal.content.edit.isVisible()
    desk.routing._generation += 1
    desk.routing._show(desk.routing._generation, RoutingSnapshot("test", tuple(
        Suggestion(category=category, lead_department_id=unit, cooperating_ids=(), district_id=None,
                   confidence=confidence, reasons=("关键词：施工",))
        for category, unit, confidence in (("环境保护", "sthjj", 0.6), ("城乡建设", "zjj", 0.3)))))
    qtbot.keyClick(desk, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert desk.form.disposition.lead.currentText() == desk.seat.city.departments["zjj"].name
    assert desk.form.appeal.content.edit.isVisible()


def test_a_narrow_desk_says_when_there_may_be_the_same_issue(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """The 可能是同一诉求 panel is in the column, out of sight beside the form: the form's button tells."""
    desk.resize(1024, 700)
    settle(qtbot)
    button = desk.intake_page().assist_button
    assert button.isVisible() and "同一诉求" not in button.text()
    desk.same_issue.panel._show([{"number": "20261205-0001", "status": "dispatched", "category": "环境保护/噪音扰民/施工噪音",
                                  "accepted_at": None, "reasons": ["same_phone"], "phone_masked": "139****5678",
                                  "title": ""}], offline=True)
    assert "同一诉求" in button.text() and "Alt+L" in button.text()
    desk.same_issue.clear()
    assert "同一诉求" not in button.text()

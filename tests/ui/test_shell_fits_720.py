"""On a 1280×720 screen the intake desk shows whole: the form does not scroll (also with every field error shown),
the routing rows do not overlap, the assist column does not scroll."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from contract.case_fields import CaseInput
from ui.shell.desk_window import DeskWindow


def scrolls(area: QScrollArea) -> bool:
    return area.verticalScrollBar().isVisible()


def settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)


def test_the_intake_desk_fits_1280_by_720(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    desk.resize(1280, 720)  # what the desk takes on a 1280×720 screen with nothing else on it (_fit_screen)
    city = desk.seat.city
    district = next(iter(city.districts.values()))
    desk.form.load(CaseInput(
        caller_name="王秀英", phone="0731-84561234", special_needs=("elderly", "dialect"), appeal_type="complaint",
        category="环境保护/噪音扰民/施工噪音", district=district.name, street=district.streets[1],
        address="幸福小区3栋", content="小区对面工地每天夜里十一点以后还在施工，噪音很大，老人睡不着觉，已经持续一个星期。",
        request="要求夜间停止施工", disposition="dispatch", lead_department="市城市管理综合执法局"))
    desk._routing_inputs_changed()
    qtbot.waitUntil(lambda: all(row.isVisible() for row in desk.routing.rows), timeout=10000)
    settle(qtbot)
    form_area = desk.form.findChild(QScrollArea)
    assert form_area is not None and not scrolls(form_area)
    column = desk.findChild(QScrollArea, "assistColumn")  # the routing and knowledge-base column
    assert column is not None and not scrolls(column)
    rows: list[QWidget] = list(desk.routing.rows)
    for upper, lower in zip(rows, rows[1:], strict=False):
        assert upper.geometry().bottom() < lower.geometry().top()
    assert rows[-1].geometry().bottom() <= desk.routing.contentsRect().bottom()
    for row in rows:  # each reason shows whole: its label is as tall as its wrapped text needs
        assert row.why.height() >= row.why.heightForWidth(row.why.width())
    desk.form.load(CaseInput(phone="12345", content="你好", disposition="dispatch", urgency="urgent"))
    desk.submit()  # six field errors, each a line under its field
    qtbot.waitUntil(lambda: desk.form.summary.isVisible(), timeout=5000)
    settle(qtbot)
    assert not scrolls(form_area)


def test_a_short_screen_scrolls_rather_than_cuts(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    """A 720 screen less a taskbar and a title bar: the window still fits it; the form and the column scroll."""
    assert desk.minimumSizeHint().height() <= 600
    desk.resize(1280, 600)
    settle(qtbot)
    assert desk.height() == 600

"""My cases table: what each cell shows, its colours, paging, the live countdown, and Enter opening a case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtTest import QTest

from contract.city.model import City
from operator_app.seat import Seat
from operator_app.services.case_queries import CaseFilter
from operator_app.services.intake import submit_case
from tests.core.helpers import direct_form, dispatch_form
from ui.cases import table_model as case_table_model
from ui.cases.list_view import CaseListView
from ui.cases.table_model import CaseTableModel

RED = "#c62828"
PURPLE = "#6a1b9a"


class InlineTasks:
    """Runs a read at once on the calling thread (the model's callbacks then run before refresh returns)."""

    def read(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        done(fn())


def cell(model: CaseTableModel, row: int, col: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, col), role)


def colour(model: CaseTableModel, row: int, col: int) -> str | None:
    brush = cell(model, row, col, Qt.ItemDataRole.ForegroundRole)
    return None if brush is None else brush.color().name()


def test_cells_show_masked_people_labels_countdown_and_colours(qtbot, seat: Seat, city: City) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    overdue = submit_case(seat.store, city, form=dispatch_form(city, urgency="urgent", urgency_reason="老人独居断水", special_needs=["elderly"]),
                          operator_id="1001", now=now - timedelta(days=3))
    fresh = submit_case(seat.store, city, form=direct_form(city), operator_id="1001", now=now)
    model = CaseTableModel(seat.store, city, InlineTasks())  # type: ignore[arg-type]
    assert isinstance(model, QStandardItemModel)  # painting reads C++ items, never a Python data() (see module doc)
    model.refresh(CaseFilter(timezone=city.timezone))

    assert model.total == 2 and model.rowCount() == 2 and model.columnCount() == 10
    assert [cell(model, r, 0) for r in range(2)] == [fresh.number, overdue.number]  # newest first
    assert [cell(model, r, 0, Qt.ItemDataRole.UserRole) for r in range(2)] == [fresh.case_id, overdue.case_id]
    assert model.headerData(6, Qt.Orientation.Horizontal) == "电话"
    # Older case: urgent (red status), elderly caller (purple), past its deadline (red countdown).
    assert cell(model, 1, 2).endswith("·紧急") and colour(model, 1, 2) == RED
    assert (cell(model, 1, 5), cell(model, 1, 6)) == ("张*", "138****8000")
    assert cell(model, 1, 7) == "老年人" and colour(model, 1, 7) == PURPLE
    assert cell(model, 1, 8).startswith("超时") and colour(model, 1, 8) == RED
    assert cell(model, 1, 9) == "待同步"
    assert cell(model, 1, 3, Qt.ItemDataRole.ToolTipRole) == dispatch_form(city).category.replace("/", " / ")
    # New direct answer: anonymous caller, landline masked, no colours.
    assert (cell(model, 0, 5), cell(model, 0, 6)) == ("匿名", "0731-****1234")
    assert [colour(model, 0, c) for c in (2, 7, 8)] == [None, None, None]


def test_countdown_ticks_into_overdue(qtbot, seat: Seat, city: City, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", now=datetime.now(UTC))
    model = CaseTableModel(seat.store, city, InlineTasks())  # type: ignore[arg-type]
    model.refresh(CaseFilter(timezone=city.timezone))
    assert cell(model, 0, 8).startswith("剩") and colour(model, 0, 8) is None
    later = datetime.now(UTC) + timedelta(days=30)
    monkeypatch.setattr(case_table_model, "datetime", type("Later", (datetime,), {"now": staticmethod(lambda tz=None: later)}))
    model.tick()
    assert cell(model, 0, 8).startswith("超时") and colour(model, 0, 8) == RED


def test_pages_append_and_a_new_filter_replaces_them(qtbot, seat: Seat, city: City, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(case_table_model, "PAGE", 2)
    now = datetime.now(UTC)
    numbers = [submit_case(seat.store, city, form=dispatch_form(city, content=f"第{i}件楼上噪音"), operator_id="1001",
                           now=now - timedelta(minutes=i)).number for i in range(5)]
    model = CaseTableModel(seat.store, city, InlineTasks())  # type: ignore[arg-type]
    model.refresh(CaseFilter(timezone=city.timezone))
    assert model.rowCount() == 2 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert [cell(model, r, 0) for r in range(model.rowCount())] == numbers
    assert [r.number for r in model.rows] == numbers
    model.refresh(CaseFilter(timezone=city.timezone, text="第3件"))
    assert model.total == 1 and model.rowCount() == 1 and cell(model, 0, 0) == numbers[3]


def test_enter_on_any_column_opens_the_case(qtbot, seat: Seat, city: City) -> None:  # type: ignore[no-untyped-def]
    result = submit_case(seat.store, city, form=direct_form(city), operator_id="1001", now=datetime.now(UTC))
    model = CaseTableModel(seat.store, city, InlineTasks())  # type: ignore[arg-type]
    view = CaseListView(model, operator_id="1001", shift_start="")
    qtbot.addWidget(view)
    view.apply_filter()
    view.table.setCurrentIndex(model.index(0, 6))
    with qtbot.waitSignal(view.open_case, timeout=1000) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [result.case_id]

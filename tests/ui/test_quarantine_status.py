"""The status bar says when pulled changes could not be applied, and a click lists them (issue 14, finding 4)."""

from __future__ import annotations

import uuid

from contract.names import ENTITY_CASE_EVENT
from contract.protocol import Change
from operator_app.services.case_queries import get_case
from operator_app.services.intake import submit_case
from sync.pull_apply import apply_pulled
from tests.core.helpers import dispatch_form
from ui.shell.desk_window import DeskWindow
from ui.shell.quarantine_dialog import QuarantineDialog


def test_quarantined_changes_are_counted_in_the_status_bar_and_listed(  # type: ignore[no-untyped-def]
    qtbot, desk: DeskWindow
) -> None:
    store, city = desk.seat.store, desk.seat.city
    mine = submit_case(store, city, form=dispatch_form(city), operator_id="1001")
    created = get_case(store, mine.case_id).events[0]  # type: ignore[union-attr]
    fields = {k: v for k, v in created.payload["fields"].items() if k != "urgency"}
    number = mine.number[:-4] + "0555"
    poison = Change(entity=ENTITY_CASE_EVENT, id=str(uuid.uuid4()), op="upsert", version=3, data={
        "case_id": str(uuid.uuid4()), "number": number,
        "event": {"id": str(uuid.uuid4()), "seq": 1, "kind": "created", "payload": {**created.payload,
                  "number": number, "fields": fields}, "operator_id": "1001", "recorded_at": created.recorded_at}})
    assert apply_pulled(store, [poison], cursor=3).quarantined == 1
    desk.sync.publish()
    qtbot.waitUntil(lambda: "1 条同步数据无法应用" in desk.sync_indicator.text(), timeout=3000)
    desk.sync_indicator.click()  # nothing rejected: the click lists them
    dialog = desk.sync_indicator.quarantine_dialog
    assert isinstance(dialog, QuarantineDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == number and dialog.table.item(0, 4).text() == "KeyError"
    dialog.close()

"""No poison pills (issue 14, finding 4, the seat's side): a pulled change the seat cannot apply is kept aside,
the rest of the page applies and the cursor moves on."""

from __future__ import annotations

import copy
import json
import logging
import uuid

import pytest
from sqlalchemy import select

from contract.city.model import City
from contract.names import ENTITY_CASE_EVENT
from contract.protocol import Change
from operator_app.cli import main
from operator_app.seat import Seat
from operator_app.services.case_queries import get_case
from operator_app.services.intake import submit_case
from operator_app.store import schema
from sync.pull_apply import apply_pulled
from sync.quarantine import quarantine_count, quarantined_changes
from tests.core.helpers import dispatch_form


def event_change(case_id: str, number: str, event: dict[str, object], version: int) -> Change:
    return Change(entity=ENTITY_CASE_EVENT, id=str(event["id"]), op="upsert", version=version,
                  data={"case_id": case_id, "number": number, "event": event})


def test_a_change_that_cannot_be_applied_is_quarantined_and_the_rest_applies(
    seat: Seat, city: City, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    created = get_case(seat.store, mine.case_id).events[0]  # type: ignore[union-attr]
    payload = copy.deepcopy(created.payload)
    payload["number"] = mine.number[:-4] + "0777"
    payload["fields"]["caller_name"], payload["fields"]["phone"] = "赵六", "13900001111"
    del payload["fields"]["urgency"]  # what a seat made before urgency existed, or a tampered feed, carries
    lost_case = str(uuid.uuid4())
    no_urgency = event_change(lost_case, payload["number"], {
        "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "payload": payload, "operator_id": "1001",
        "recorded_at": created.recorded_at}, version=5)
    garbled = event_change(mine.case_id, mine.number, {
        "id": str(uuid.uuid4()), "seq": 2, "kind": "signed", "payload": "签收", "operator_id": "",
        "recorded_at": "2026-11-28T10:00:00+00:00"}, version=6)
    no_event = Change(entity=ENTITY_CASE_EVENT, id="x", op="upsert", version=7, data={"case_id": mine.case_id})
    signed = event_change(mine.case_id, mine.number, {
        "id": str(uuid.uuid4()), "seq": 3, "kind": "signed", "payload": {"department_id": "zjj"},
        "operator_id": "", "recorded_at": "2026-11-28T10:05:00+00:00"}, version=8)
    page = [no_urgency, garbled, no_event, signed]
    with caplog.at_level(logging.INFO):
        outcome = apply_pulled(seat.store, page, cursor=8)
    assert (outcome.applied, outcome.quarantined) == (1, 3)
    detail = get_case(seat.store, mine.case_id)
    assert detail is not None and detail.state.status == "signed"
    assert [e.kind for e in detail.events] == ["created", "signed"]  # nothing of the garbled one stayed
    assert get_case(seat.store, lost_case) is None
    with seat.store.read() as conn:
        assert conn.execute(select(schema.sync_state.c.pull_cursor)).scalar() == 8
    kept = quarantined_changes(seat.store)
    assert sorted(k.error for k in kept) == ["AttributeError", "KeyError", "KeyError"]
    assert {k.number for k in kept} == {payload["number"], mine.number, ""}
    assert "赵六" not in caplog.text and "13900001111" not in caplog.text
    # Pulled again (a reset): applied where it can be, kept once.
    assert apply_pulled(seat.store, page, cursor=9).applied == 0
    assert quarantine_count(seat.store) == 3
    assert main(["--data-dir", str(seat.data_dir), "outbox", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["quarantined"] == 3

"""Each created case records its handling time in whole seconds within what the server takes (0..86,400)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from contract.city.model import City
from operator_app.seat import Seat
from operator_app.services.corrections import resubmit_case
from operator_app.services.intake import submit_case
from operator_app.store import schema
from tests.core.helpers import direct_form, dispatch_form


def _payload(seat: Seat, case_id: str) -> dict[str, object]:
    with seat.store.read() as conn:
        row = conn.execute(select(schema.case_events.c.payload_json)
                           .where(schema.case_events.c.case_id == case_id)).scalar_one()
    return dict(json.loads(row))


@pytest.mark.parametrize(("seconds", "recorded"), [(0, 0), (187.9, 187), (86_400, 86_400), (200_000, 86_400),
                                                   (-3.0, 0)])
def test_handling_seconds_in_every_created_payload(seat: Seat, city: City, seconds: float, recorded: int) -> None:
    made = submit_case(seat.store, city, form=direct_form(city), operator_id="1001", handling_seconds=seconds)
    value = _payload(seat, made.case_id)["handling_seconds"]
    assert value == recorded and type(value) is int


def test_a_resubmitted_case_keeps_its_handling_time(seat: Seat, city: City) -> None:
    made = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", handling_seconds=240)
    with seat.store.write() as conn:
        conn.execute(schema.outbox.update().values(state="rejected", last_error="退回"))
    resubmit_case(seat.store, city, seq=1, form=dispatch_form(city, content="更正后的内容"))
    payload = _payload(seat, made.case_id)
    assert payload["handling_seconds"] == 240 and payload["fields"]["content"] == "更正后的内容"  # type: ignore[index]

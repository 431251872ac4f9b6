"""The screen pop's history on the seat: this seat's cases by phone (open first, then newest first, other phones
left out), the fall-back to them when the server cannot be asked, the held case, and the call id in the created
event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contract.case_fields import CaseInput
from contract.city.model import City
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.seat import Seat
from operator_app.services.caller_history import caller_history
from operator_app.services.case_queries import cases_by_phone, get_case
from operator_app.services.held_draft import hold_case, take_held_case
from operator_app.services.intake import submit_case
from tests.core.helpers import direct_form, dispatch_form

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
PHONE = "13900001234"


def fill(seat: Seat, city: City) -> list[str]:
    """Oldest first: an open case, a closed one, a newer open one, and another caller's."""
    made = [submit_case(seat.store, city, form=form, operator_id="1001", now=NOW - timedelta(hours=h)).number
            for form, h in ((dispatch_form(city, phone=PHONE, special_needs=("elderly",)), 30),
                            (direct_form(city, phone=PHONE), 20), (dispatch_form(city, phone=PHONE), 10),
                            (dispatch_form(city, phone="13900005678"), 5))]
    return made


def test_this_seats_cases_by_phone(seat: Seat, city: City) -> None:
    old_open, closed, new_open, _other = fill(seat, city)
    found = cases_by_phone(seat.store, PHONE)
    assert [c.number for c in found] == [new_open, old_open, closed]
    assert [c.status for c in found] == ["dispatched", "dispatched", "closed"]
    assert found[1].special_needs == ("elderly",) and found[0].special_needs == ()
    assert found[0].finish_by and found[2].finish_by == "" and found[0].last_events == ("created",)
    assert cases_by_phone(seat.store, PHONE, limit=2) == found[:2]
    assert cases_by_phone(seat.store, "13700000000") == [] and cases_by_phone(seat.store, "") == []


class Offline:
    def api(self, method: str, path: str, *, json_body: Any = None, params: Any = None) -> Any:
        raise SyncError(SyncErrorKind.NETWORK, "无法连接中心服务器")


class Answering:
    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def api(self, method: str, path: str, *, json_body: Any = None, params: Any = None) -> Any:
        self.bodies.append((method, path, json_body, params))
        return {"cases": [{"number": "S9-20261128-0001", "accepted_at": "2026-11-28T01:00:00+00:00",
                           "category": "城乡建设", "status": "signed", "respond_by": "", "finish_by": "",
                           "special_needs": ["dialect"], "last_events": ["signed", "created"]}],
                "open_count": 1, "truncated": False}


def test_history_from_the_server_else_this_seat(seat: Seat, city: City) -> None:
    fill(seat, city)
    offline = caller_history(seat.store, PHONE, api=Offline())
    assert not offline.from_server and len(offline.cases) == 3
    assert caller_history(seat.store, PHONE, api=None).cases == offline.cases
    server = Answering()
    online = caller_history(seat.store, PHONE, api=server)
    assert online.from_server and [c.number for c in online.cases] == ["S9-20261128-0001"]
    assert online.cases[0].last_events == ("signed", "created")
    assert server.bodies == [("POST", "/api/v1/callers/history", {"phone": PHONE}, None)]  # never in the URL


def test_held_case_survives_and_swaps(seat: Seat) -> None:
    first = CaseInput(content="上一位来电还没说完")
    hold_case(seat.store, operator_id="1001", form=first)
    assert take_held_case(seat.store, operator_id="1002") is None  # each operator their own
    second = CaseInput(content="表单上正在写的")
    assert take_held_case(seat.store, operator_id="1001", replace_with=second) == first
    assert take_held_case(seat.store, operator_id="1001", replace_with=CaseInput()) == second
    assert take_held_case(seat.store, operator_id="1001") is None


def test_a_second_call_never_overwrites_a_held_case(seat: Seat) -> None:
    first, second = CaseInput(content="第一位来电"), CaseInput(content="第二位来电")
    hold_case(seat.store, operator_id="1001", form=first)
    hold_case(seat.store, operator_id="1001", form=second)
    assert take_held_case(seat.store, operator_id="1001") == second
    assert take_held_case(seat.store, operator_id="1001") == first
    assert take_held_case(seat.store, operator_id="1001") is None


def test_call_id_in_the_created_event(seat: Seat, city: City) -> None:
    with_call = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", call_id="c-42")
    without = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    one, two = get_case(seat.store, with_call.case_id), get_case(seat.store, without.case_id)
    assert one is not None and two is not None
    assert one.events[0].payload["call_id"] == "c-42" and "call_id" not in two.events[0].payload

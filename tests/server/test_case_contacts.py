""""case.contact" pushes (重复来电 / 催办 on any seat's open case) on a real server, SQLite and PostgreSQL: appended
through the server's event path, idempotent by mutation id, the third repeat raises exactly one 督办
(resources/lead/repeats.toml), and practice numbers, unknown and closed cases and bad shapes are refused with
nothing stored."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.server.api_client import Api, SeatClient
from tests.server.conftest import ServerFactory
from tests.server.contact_builder import contact, created, history, number_of, results, set_case

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def two_seats(server_factory: ServerFactory) -> tuple[SeatClient, SeatClient, str]:
    """S001 holds one open case; S002 is another seat of the city. Returns (S001, S002, the case number)."""
    api = Api(server_factory().url)
    one = SeatClient.register(api, operator="1001", seat_code="S001")
    two = SeatClient.register(api, operator="1002", seat_code="S002")
    m = created(one, 1, 1)
    assert results(one.push([m]))[0]["status"] == "applied"
    return one, two, number_of(m)


def test_repeat_call_from_another_seat(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    one, two, number = two_seats
    m = contact(1, number, text="市民再次来电：灯还是不亮", operator="1002")
    assert results(two.push([m]))[0]["status"] == "applied"
    events = history(database_url, number)
    assert [k for k, _, _ in events] == ["created", "repeat_call"]
    assert events[1][1] == {"content": "市民再次来电：灯还是不亮", "channel": "phone"} and events[1][2] == "1002"
    # the case's own seat (and so its department's view) pulls it
    pulled = [c for c in one.pull_all()[0] if c["data"]["event"]["kind"] == "repeat_call"]
    assert [c["id"] for c in pulled] == [m["args"]["event"]["id"]]
    # the same mutation again: duplicate, nothing appended
    assert results(two.push([{**m, "seq": 1}]))[0]["status"] == "duplicate"
    assert [k for k, _, _ in history(database_url, number)] == ["created", "repeat_call"]


def test_urged(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    _, two, number = two_seats
    assert results(two.push([contact(1, number, kind="urged", text="市民催促尽快处理", operator="1002")]))[0][
        "status"] == "applied"
    assert history(database_url, number)[-1][:2] == ("urged", {"text": "市民催促尽快处理", "channel": "phone"})


def test_third_repeat_supervises_once(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    one, two, number = two_seats
    assert results(two.push([contact(1, number, operator="1002"), contact(2, number, operator="1002")])) \
        and [k for k, _, _ in history(database_url, number)] == ["created", "repeat_call", "repeat_call"]
    assert results(one.push([contact(2, number)]))[0]["status"] == "applied"
    events = history(database_url, number)
    assert [k for k, _, _ in events] == ["created", "repeat_call", "repeat_call", "repeat_call", "supervised"]
    assert events[-1][1]["reason"] == "重复来电 3 次，自动督办" and events[-1][2] == "system"
    # a fourth repeat and an urging: no second 督办
    assert [r["status"] for r in results(two.push([contact(3, number, operator="1002"),
                                                   contact(4, number, kind="urged", operator="1002")]))] \
        == ["applied", "applied"]
    assert [k for k, _, _ in history(database_url, number)].count("supervised") == 1


def test_urging_does_not_count_as_repeat(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    _, two, number = two_seats
    batch = [contact(i, number, kind="urged", operator="1002") for i in range(1, 4)]
    assert {r["status"] for r in results(two.push(batch))} == {"applied"}
    assert "supervised" not in [k for k, _, _ in history(database_url, number)]


def _refused(seat: SeatClient, m: dict[str, Any], code: str) -> None:
    [result] = results(seat.push([m]))
    assert (result["status"], result["code"]) == ("rejected", code), result
    assert CJK.search(result["error"]), result


def test_refusals_store_nothing(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    one, two, number = two_seats
    _refused(two, contact(1, "练-20260301-0001", operator="1002"), "practice_number")
    _refused(two, contact(2, "S009-20260301-0001", operator="1002"), "case_not_found")
    bad_kind = contact(3, number, operator="1002")
    bad_kind["args"]["event"]["kind"] = "completed"  # a seat may not close a case
    _refused(two, bad_kind, "invalid_args")
    empty = contact(4, number, text="   ", operator="1002")
    _refused(two, empty, "invalid_args")
    mismatch = {**contact(5, number, operator="1002"), "entity_id": "S001-20990101-0001"}
    _refused(two, mismatch, "invalid_args")
    extra = contact(6, number, operator="1002")
    extra["args"]["event"]["payload"]["status"] = "closed"
    _refused(two, extra, "invalid_args")
    assert [k for k, _, _ in history(database_url, number)] == ["created"]
    set_case(database_url, number, status="closed")
    _refused(two, contact(7, number, operator="1002"), "case_closed")
    assert [k for k, _, _ in history(database_url, number)] == ["created"]


def test_event_id_reused_is_refused(two_seats: tuple[SeatClient, SeatClient, str], database_url: str) -> None:
    _, two, number = two_seats
    event_id = str(uuid.uuid4())
    assert results(two.push([contact(1, number, event_id=event_id, operator="1002")]))[0]["status"] == "applied"
    _refused(two, contact(2, number, event_id=event_id, operator="1002"), "conflict")
    assert [k for k, _, _ in history(database_url, number)] == ["created", "repeat_call"]

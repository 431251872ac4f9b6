"""Push semantics (DESIGN.md "Sync protocol") against the live server, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.server.api_client import Api, SeatClient, count_rows
from tests.server.conftest import ServerFactory


def _seat(server_factory: ServerFactory) -> SeatClient:
    return SeatClient.register(Api(server_factory().url))


def test_happy_path_stores_each_case_once(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat(server_factory)
    resp = seat.push([seat.case_created(1), seat.case_created(2, disposition="direct")])
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"last_applied_seq": 2, "results": [
        {"seq": 1, "status": "applied", "error": None, "code": None}, {"seq": 2, "status": "applied", "error": None, "code": None}]}
    cases = seat.api.get("/operators/1001/cases", headers=seat.auth).json()["cases"]
    assert sorted((c["number"], c["status"]) for c in cases) == [
        ("S001-20260301-0001", "dispatched"), ("S001-20260301-0002", "closed")]
    assert "phone" not in cases[0] and "caller_name" not in cases[0]
    assert count_rows(database_url, "case_events") == 2


def test_duplicate_push_returns_stored_outcomes(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat(server_factory)
    bad = seat.case_created(2)
    bad["args"]["event"]["payload"]["number"] = "X9-20260301-0001"  # not this seat's number
    batch = [seat.case_created(1), bad, seat.case_created(3)]
    first = seat.push(batch).json()
    assert [r["status"] for r in first["results"]] == ["applied", "rejected", "applied"]
    again = seat.push(batch).json()  # e.g. the first response was lost
    assert again["last_applied_seq"] == 3
    assert [r["status"] for r in again["results"]] == ["duplicate", "rejected", "duplicate"]
    assert again["results"][1]["error"] == first["results"][1]["error"]
    assert count_rows(database_url, "cases") == 2


def test_gap_stops_the_batch(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat(server_factory)
    resp = seat.push([seat.case_created(1), seat.case_created(3), seat.case_created(4)]).json()
    assert resp == {"last_applied_seq": 1, "results": [{"seq": 1, "status": "applied", "error": None, "code": None}]}
    assert count_rows(database_url, "cases") == 1
    later = seat.push([seat.case_created(2)]).json()
    assert later["last_applied_seq"] == 2


def test_rejected_mutation_does_not_block_later_ones(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat(server_factory)
    wrong_shape = seat.case_created(2)
    wrong_shape["args"]["event"]["payload"]["fields"] = "not an object"
    unknown_operator = seat.case_created(3, operator="7777")
    disabled_operator = seat.case_created(4, operator="1099")
    other_name = {**seat.case_created(5), "name": "case.unknown"}
    resp = seat.push([seat.case_created(1), wrong_shape, unknown_operator, disabled_operator, other_name,
                      seat.case_created(6)]).json()
    statuses = [(r["seq"], r["status"]) for r in resp["results"]]
    assert statuses == [(1, "applied"), (2, "rejected"), (3, "rejected"), (4, "rejected"), (5, "rejected"),
                        (6, "applied")]
    assert resp["last_applied_seq"] == 6
    reasons = [r["error"] for r in resp["results"][1:5]]
    assert "fields" in reasons[0]
    assert "7777" in reasons[1] and "1099" in reasons[2] and "case.unknown" in reasons[3]
    assert count_rows(database_url, "cases") == 2


def test_same_mutation_id_under_another_seq_is_never_applied_twice(
    server_factory: ServerFactory, database_url: str
) -> None:
    seat = _seat(server_factory)
    original = seat.case_created(1)
    resent_in_batch = {**original, "seq": 2}
    first = seat.push([original, resent_in_batch]).json()
    assert [r["status"] for r in first["results"]] == ["applied", "duplicate"]
    later = seat.push([{**original, "seq": 3}]).json()
    assert later["results"][0]["status"] == "duplicate"
    other = SeatClient.register(seat.api, operator="1002", seat_code="S002")
    stolen = other.push([{**original, "seq": 1}]).json()  # another seat re-using that mutation_id
    assert stolen["results"][0]["status"] == "rejected"
    assert count_rows(database_url, "cases") == 1


def test_each_mutation_keeps_its_own_operator(server_factory: ServerFactory) -> None:
    """Operator A queued cases and logged out; B is logged in when they are pushed: they stay A's."""
    seat = _seat(server_factory)
    b_token = seat.sign_in("1002")
    resp = seat.push([seat.case_created(1, operator="1001"), seat.case_created(2, operator="1002")]).json()
    assert resp["last_applied_seq"] == 2
    mine = seat.api.get("/operators/1002/cases", headers=b_token).json()["cases"]
    assert [c["number"] for c in mine] == ["S001-20260301-0002"]
    lead = seat.api.token("2001")
    a_cases = seat.api.get("/operators/1001/cases", headers=lead).json()["cases"]
    assert [c["created_by"] for c in a_cases] == ["1001"]


def test_case_conflicts_are_rejected_not_500(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat(server_factory)
    first = seat.case_created(1)
    same_number = seat.case_created(2, number=1)
    same_case = seat.case_created(3)
    same_case["entity_id"] = same_case["args"]["case_id"] = first["args"]["case_id"]
    resp = seat.push([first, same_number, same_case]).json()
    assert [r["status"] for r in resp["results"]] == ["applied", "rejected", "rejected"]
    assert count_rows(database_url, "cases") == 1


def test_clashes_with_rows_already_on_the_server_are_answered_one_by_one(
    server_factory: ServerFactory, database_url: str
) -> None:
    """The bulk insert clashes; the batch is re-applied mutation by mutation, each clash answered exactly."""
    seat = _seat(server_factory)
    first = seat.case_created(1)
    assert seat.push([first, seat.case_created(2)]).json()["last_applied_seq"] == 2
    number_taken = seat.case_created(4, number=1)
    event_taken = seat.case_created(5)
    event_taken["args"]["event"]["id"] = first["args"]["event"]["id"]
    mutation_reused = {**first, "seq": 6}
    batch = [seat.case_created(3), number_taken, event_taken, mutation_reused, seat.case_created(7)]
    resp = seat.push(batch).json()
    assert [(r["seq"], r["status"]) for r in resp["results"]] == [
        (3, "applied"), (4, "rejected"), (5, "rejected"), (6, "duplicate"), (7, "applied")]
    assert "与中心已有的工单重复" in resp["results"][1]["error"] and resp["results"][1]["code"] == "conflict"
    assert resp["last_applied_seq"] == 7
    assert count_rows(database_url, "cases") == 4
    assert count_rows(database_url, "seat_mutations") == 7
    again = seat.push(batch).json()  # the stored outcomes, whichever path wrote them
    assert [r["status"] for r in again["results"]] == ["duplicate", "rejected", "rejected", "duplicate", "duplicate"]


def test_a_batch_takes_consecutive_change_ids_in_seq_order(server_factory: ServerFactory) -> None:
    seat = _seat(server_factory)
    batch = [seat.case_created(seq) for seq in range(1, 201)]
    batch[50]["args"]["event"]["payload"]["fields"] = "not an object"  # a rejection inside the batch
    resp = seat.push(list(reversed(batch))).json()  # any order on the wire: applied in seq order
    assert resp["last_applied_seq"] == 200
    changes, _cursor = seat.pull_all(limit=37)
    events = [c for c in changes if c["entity"] == "case_event"]
    numbers = [c["data"]["number"] for c in events]
    expected = [m["args"]["event"]["payload"]["number"] for m in batch if m["seq"] != 51]
    assert numbers == expected
    versions = [c["version"] for c in events]
    assert versions == list(range(versions[0], versions[0] + 199))

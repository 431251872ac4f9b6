"""A practice number (练-…) never reaches a real case: a seat's push of one is rejected with the code
`practice_number` (the rest of the batch goes on), and every real route that names a case refuses it."""

from __future__ import annotations

from typing import Any

from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory

PRACTICE = "练-S001-20260301-0001"


def _as_practice(mutation: dict[str, Any], number: str = PRACTICE) -> dict[str, Any]:
    mutation["args"]["event"]["payload"]["number"] = number
    return mutation


def test_a_practice_case_pushed_as_real_is_rejected(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    batch = [seat.case_created(1), _as_practice(seat.case_created(2)), seat.case_created(3),
             _as_practice(seat.case_created(4), "练-XYZ")]  # malformed, but in the practice namespace all the same
    resp = seat.push(batch)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", None), ("rejected", "practice_number"), ("applied", None), ("rejected", "practice_number")]
    assert "练习工单" in results[1]["error"]
    assert count_rows(database_url, "cases") == 2 and count_rows(database_url, "case_events") == 2
    assert count_rows(database_url, "case_kpi") == 2
    # Sent again: the same refusal, still nothing stored.
    again = seat.push(batch).json()["results"]
    assert [(r["status"], r["code"]) for r in again] == [
        ("duplicate", None), ("rejected", "practice_number"), ("duplicate", None), ("rejected", "practice_number")]
    assert count_rows(database_url, "cases") == 2


def test_a_practice_case_is_rejected_on_the_one_at_a_time_path(server_factory: ServerFactory,
                                                               database_url: str) -> None:
    """A clash with a row on the server sends the batch through apply_one: the refusal is the same there."""
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    first = seat.case_created(1)
    assert seat.push([first]).json()["results"][0]["status"] == "applied"
    clash = seat.case_created(2, number=1)  # the number of case 1 again: an IntegrityError in the bulk path
    resp = seat.push([clash, _as_practice(seat.case_created(3))]).json()["results"]
    assert [(r["status"], r["code"]) for r in resp] == [("rejected", "conflict"), ("rejected", "practice_number")]
    assert count_rows(database_url, "cases") == 1


def test_a_case_event_carrying_a_practice_number_is_rejected(server_factory: ServerFactory,
                                                             database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    created = seat.case_created(1)
    event = {"seq": 2, "mutation_id": "6f1f0a51-7c1e-4f7e-9f0e-0a8f1b2c3d4e", "name": "case.event",
             "operator_id": "1001", "entity_id": created["entity_id"], "created_at": created["created_at"],
             "args": {"case_id": created["entity_id"], "event": {
                 "id": "7f1f0a51-7c1e-4f7e-9f0e-0a8f1b2c3d4e", "seq": 2, "kind": "created",
                 "recorded_at": created["created_at"], "payload": {"number": PRACTICE, "fields": {}}}}}
    results = seat.push([created, event]).json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("applied", None), ("rejected", "practice_number")]
    assert count_rows(database_url, "case_events") == 1


def test_real_routes_refuse_a_practice_number(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory().url)
    lead, admin = api.token("2001"), api.token("admin")
    audited = count_rows(database_url, "audit_log")
    for number in (PRACTICE, "练-S001"):
        assert_error(api.get(f"/lead/cases/{number}", headers=lead), 400, "practice_number")
        assert_error(api.post(f"/lead/cases/{number}/reveal", {"field": "phone", "reason": "回访核实"},
                              headers=lead), 400, "practice_number")
        assert_error(api.post(f"/lead/cases/{number}/actions", {"action": "supervise", "reason": "督办"},
                              headers=lead), 400, "practice_number")
        assert_error(api.post(f"/cases/{number}/actions", {"action": "sign", "department_id": "zjj"},
                              headers=admin), 400, "practice_number")
    # A real number that does not exist is still answered as before.
    assert_error(api.get("/lead/cases/S001-20260301-0001", headers=lead), 404, "case_not_found")
    assert count_rows(database_url, "audit_log") == audited  # no reveal was logged
    assert count_rows(database_url, "case_events") == 0

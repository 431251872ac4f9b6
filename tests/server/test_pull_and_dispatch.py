"""Pull paging and department actions (签收/退单/延期/办结) flowing back to the seat."""

from __future__ import annotations

from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory


def _seat_with_cases(server_factory: ServerFactory, n: int) -> SeatClient:
    seat = SeatClient.register(Api(server_factory().url))
    assert seat.push([seat.case_created(i) for i in range(1, n + 1)]).json()["last_applied_seq"] == n
    return seat


def test_pull_pages_events_in_order(server_factory: ServerFactory) -> None:
    seat = _seat_with_cases(server_factory, 5)
    other = SeatClient.register(seat.api, operator="1002", seat_code="S002")
    other.push([other.case_created(1, operator="1002")])
    first = seat.pull(0, limit=2).json()
    assert first["has_more"] is True and len(first["changes"]) == 2 and first["reset_required"] is False
    second = seat.pull(first["cursor"], limit=2).json()
    third = seat.pull(second["cursor"], limit=2).json()
    assert third["has_more"] is False
    changes = first["changes"] + second["changes"] + third["changes"]
    numbers = [c["data"]["number"] for c in changes]
    assert numbers == [f"S001-20260301-{i:04d}" for i in range(1, 6)]  # only this seat's cases
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions) and len(set(versions)) == 5
    event = changes[0]["data"]["event"]
    assert changes[0]["entity"] == "case_event" and changes[0]["op"] == "upsert"
    assert set(event) == {"id", "seq", "kind", "payload", "operator_id", "recorded_at"}
    assert event["kind"] == "created" and event["operator_id"] == "1001" and event["seq"] == 1
    empty = seat.pull(third["cursor"]).json()
    assert empty["changes"] == [] and empty["cursor"] == third["cursor"] + 0 and empty["has_more"] is False


def test_cursor_beyond_the_server_asks_for_a_reset(server_factory: ServerFactory) -> None:
    seat = _seat_with_cases(server_factory, 1)
    resp = seat.pull(10_000).json()
    assert resp["reset_required"] is True and resp["changes"] == []


def test_department_actions_flow_to_pull(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat_with_cases(server_factory, 2)
    _, cursor = seat.pull_all()
    admin = seat.api.token("admin")
    number = "S001-20260301-0001"

    def act(body: dict[str, object], case: str = number) -> dict[str, object]:
        resp = seat.api.post(f"/cases/{case}/actions", body, headers=admin)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    assert act({"action": "sign", "department_id": "zjj"})["status"] == "signed"
    extended = act({"action": "extend", "department_id": "zjj", "reason": "需现场勘查",
                    "new_finish_by": "2099-03-05T18:00:00+08:00"})
    assert extended["finish_by"] == "2099-03-05T18:00:00+08:00" and extended["status"] == "signed"
    assert act({"action": "complete", "department_id": "zjj"})["status"] == "closed"
    assert act({"action": "return", "department_id": "zjj", "reason": "不属于本单位职责"},
               case="S001-20260301-0002")["status"] == "returned"
    changes, _ = seat.pull_all(cursor)
    kinds = [(c["data"]["number"][-4:], c["data"]["event"]["kind"], c["data"]["event"]["seq"]) for c in changes]
    assert kinds == [("0001", "signed", 2), ("0001", "extended", 3), ("0001", "completed", 4),
                     ("0002", "returned", 2)]
    returned = changes[-1]["data"]["event"]["payload"]
    assert returned["reason"] == "不属于本单位职责" and returned["status"] == "returned"
    assert returned["department_id"] == "zjj"
    assert count_rows(database_url, "case_events") == 6


def test_skip_own_leaves_out_only_the_seats_own_created_events(server_factory: ServerFactory) -> None:
    seat = _seat_with_cases(server_factory, 3)
    admin = seat.api.token("admin")
    resp = seat.api.post("/cases/S001-20260301-0002/actions", {"action": "sign", "department_id": "zjj"},
                         headers=admin)
    assert resp.status_code == 200, resp.text
    full = seat.pull(0).json()
    assert [c["data"]["event"]["kind"] for c in full["changes"]] == ["created"] * 3 + ["signed"]
    assert full["seat_high_water"] == 3
    lean = seat.pull(0, skip_own=True).json()
    assert [(c["data"]["number"][-4:], c["data"]["event"]["kind"]) for c in lean["changes"]] == [("0002", "signed")]
    assert lean["cursor"] == full["cursor"] and lean["has_more"] is False and lean["seat_high_water"] == 3
    # A page of one holds the one change left, and still ends where the full feed ends.
    first = seat.pull(0, limit=1, skip_own=True).json()
    assert first["changes"] == lean["changes"] and first["has_more"] is False and first["cursor"] == full["cursor"]
    assert seat.pull(full["cursor"], skip_own=True).json()["changes"] == []


def test_action_errors(server_factory: ServerFactory, database_url: str) -> None:
    seat = _seat_with_cases(server_factory, 1)
    admin = seat.api.token("admin")
    number = "S001-20260301-0001"
    path = f"/cases/{number}/actions"
    assert_error(seat.api.post(path, {"action": "return", "department_id": "zjj"}, headers=admin), 422)
    assert_error(seat.api.post(path, {"action": "extend", "department_id": "zjj", "reason": "x"}, headers=admin),
                 422)
    assert_error(seat.api.post("/cases/S001-20260301-9999/actions", {"action": "sign", "department_id": "zjj"},
                               headers=admin), 404, "case_not_found")
    assert_error(seat.api.post(path, {"action": "sign", "department_id": "zjj"}, headers=seat.auth), 403,
                 "forbidden")
    assert_error(seat.api.post(path, {"action": "complete", "department_id": "zjj"}, headers=admin), 409,
                 "invalid_transition")
    assert_error(seat.api.post(path, {"action": "sign", "department_id": "nope"}, headers=admin), 422,
                 "unknown_department")
    assert_error(seat.api.post(path, {"action": "sign", "department_id": "rsj"}, headers=admin), 403,
                 "not_assigned")
    assert_error(seat.api.post(path, {"action": "extend", "department_id": "zjj", "reason": "x",
                                      "new_finish_by": "2001-01-01T00:00:00Z"}, headers=admin), 422)
    assert count_rows(database_url, "case_events") == 1

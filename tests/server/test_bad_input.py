"""Bad input → 4xx with {"error", "message"}, never 500, nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory


@pytest.fixture
def seat(server_factory: ServerFactory) -> SeatClient:
    return SeatClient.register(Api(server_factory(max_body_bytes=64_000).url))


def _nothing_stored(database_url: str) -> None:
    assert count_rows(database_url, "cases") == 0
    assert count_rows(database_url, "seat_mutations") == 0


def test_malformed_json(seat: SeatClient, database_url: str) -> None:
    headers = {**seat.headers(), "Content-Type": "application/json"}
    for raw in ('{"protocol_version": 1, ', "[1, 2", "\xff\xfe", ""):
        resp = seat.api.http.post(seat.api.url + "/api/v1/sync/push", data=raw.encode("latin-1"), headers=headers)
        assert resp.status_code in (400, 422), resp.text
        assert_error(resp, resp.status_code)
    _nothing_stored(database_url)


@pytest.mark.parametrize("body", [
    {"protocol_version": "one", "seat_id": "x" * 36, "mutations": []},
    {"protocol_version": 1, "seat_id": None, "mutations": []},
    {"protocol_version": 1, "mutations": "all of them"},
    [1, 2, 3],
    {"protocol_version": 1, "seat_id": "x" * 36, "mutations": [{"seq": 0}]},
    {"protocol_version": 1, "seat_id": "x" * 36, "mutations": [], "extra": True},
])
def test_wrong_types_are_422(seat: SeatClient, database_url: str, body: object) -> None:
    resp = seat.api.post("/sync/push", body, headers=seat.headers())
    body_out = assert_error(resp, 422, "invalid_request")
    assert "detail" not in body_out
    _nothing_stored(database_url)


def test_wrong_mutation_shapes_inside_a_valid_batch(seat: SeatClient, database_url: str) -> None:
    m = seat.case_created(1)
    m["seq"] = "first"
    assert_error(seat.push([m]), 422)
    m = seat.case_created(1)
    m["args"] = ["not", "a", "dict"]
    assert_error(seat.push([m]), 422)
    _nothing_stored(database_url)


def test_oversized_body_is_413(seat: SeatClient, database_url: str) -> None:
    big = [seat.case_created(i) for i in range(1, 200)]
    assert_error(seat.push(big), 413, "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        payload = json.dumps({"protocol_version": 1, "seat_id": seat.seat_id, "mutations": big}).encode()
        for i in range(0, len(payload), 8192):
            yield payload[i:i + 8192]

    headers = {**seat.headers(), "Content-Type": "application/json"}
    resp = seat.api.http.post(seat.api.url + "/api/v1/sync/push", data=chunks(), headers=headers)
    assert_error(resp, 413, "body_too_large")
    _nothing_stored(database_url)


def test_unknown_protocol_version_is_409_naming_both(seat: SeatClient, database_url: str) -> None:
    body = assert_error(seat.push([seat.case_created(1)], version=2), 409, "protocol_version")
    assert "2" in body["message"] and "1" in body["message"]
    newer_shape = {"protocol_version": 3, "seat_id": seat.seat_id, "changes": [{"whatever": 1}]}
    body = assert_error(seat.api.post("/sync/push", newer_shape, headers=seat.headers()), 409, "protocol_version")
    assert "3" in body["message"]
    _nothing_stored(database_url)


def test_seat_pushing_as_another_seat_is_403(seat: SeatClient, database_url: str) -> None:
    other = SeatClient.register(seat.api, operator="1002", seat_code="S002")
    assert_error(seat.push([seat.case_created(1)], seat_id=other.seat_id), 403, "seat_mismatch")
    forged = {**seat.headers(), "X-Seat-Id": other.seat_id}  # own credential, other seat's id
    resp = seat.api.post("/sync/push", {"protocol_version": 1, "seat_id": other.seat_id,
                                        "mutations": [seat.case_created(1)]}, headers=forged)
    assert_error(resp, 401, "seat_auth")
    _nothing_stored(database_url)


def test_operator_reads_only_own_cases(seat: SeatClient) -> None:
    assert seat.api.get("/operators/1001/cases", headers=seat.auth).status_code == 200
    assert_error(seat.api.get("/operators/1002/cases", headers=seat.auth), 403, "forbidden")
    trainer = seat.api.token("3001")
    assert_error(seat.api.get("/operators/1001/cases", headers=trainer), 403, "forbidden")
    lead = seat.api.token("2001")
    assert seat.api.get("/operators/1002/cases", headers=lead).status_code == 200
    assert_error(seat.api.get("/operators/nobody/cases", headers=lead), 404)


def test_unknown_routes_methods_and_queries(seat: SeatClient) -> None:
    assert_error(seat.api.get("/nowhere"), 404, "not_found")
    assert_error(seat.api.http.delete(seat.api.url + "/api/v1/sync/push"), 405, "method_not_allowed")
    assert_error(seat.api.get("/sync/pull", params={"cursor": -1}, headers=seat.headers()), 422)
    assert_error(seat.api.get("/sync/pull", params={"limit": "lots"}, headers=seat.headers()), 422)
    assert_error(seat.api.get("/sync/pull", params={"limit": 100_000}, headers=seat.headers()), 422)


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "PUT", "PATCH"])
def test_every_405_says_which_methods_are_allowed(seat: SeatClient, method: str) -> None:
    for path, allowed in (("/api/v1/sync/push", {"POST"}), ("/api/v1/health", {"GET"})):
        resp = seat.api.http.request(method, seat.api.url + path, headers=seat.headers(), timeout=30)
        assert_error(resp, 405, "method_not_allowed")
        assert {m.strip() for m in resp.headers.get("Allow", "").split(",")} >= allowed, resp.headers


def test_an_article_body_over_the_limit_is_422(seat: SeatClient, database_url: str) -> None:
    article = {"id": "kb-long", "title": "长文", "body": "x" * 60_001}
    assert_error(seat.api.post("/kb/articles", article, headers=seat.api.token("admin")), 422)
    assert count_rows(database_url, "kb_articles") == 0

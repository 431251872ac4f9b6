"""Login, refresh, expired tokens, role data and seat registration against the live server."""

from __future__ import annotations

import uuid

from central_server.cli import main as cli
from tests.server.api_client import PASSWORD, Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory


def test_login_returns_tokens_and_user(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    body = api.login("1001")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"] == {"id": "1001", "username": "1001", "name": "李晓梅", "role": "operator"}
    assert body["access_token"] != body["refresh_token"]


def test_wrong_password_unknown_and_disabled_users_get_401(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    for username, password in (("1001", "wrong-password"), ("nobody", "whatever1"), ("1099", "test-pass-1234")):
        resp = api.post("/auth/login", {"username": username, "password": password})
        assert_error(resp, 401, "invalid_credentials")


def test_refresh_gives_a_new_pair_and_rejects_access_tokens(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    first = api.login("2001")
    resp = api.post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["role"] == "team_lead"
    again = api.get("/operators/1001/cases", headers={"Authorization": f"Bearer {resp.json()['access_token']}"})
    assert again.status_code == 200
    assert_error(api.post("/auth/refresh", {"refresh_token": first["access_token"]}), 401, "token_invalid")
    assert_error(api.post("/auth/refresh", {"refresh_token": "not-a-token"}), 401, "token_invalid")


def test_expired_access_token_is_refused_and_refresh_recovers(server_factory: ServerFactory) -> None:
    api = Api(server_factory(access_token_minutes=0).url)
    pair = api.login("1001")
    expired = {"Authorization": f"Bearer {pair['access_token']}"}
    assert_error(api.get("/operators/1001/cases", headers=expired), 401, "token_expired")
    assert api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 200


def test_expired_refresh_token_is_refused(server_factory: ServerFactory) -> None:
    api = Api(server_factory(refresh_token_hours=0).url)
    pair = api.login("1001")
    assert_error(api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}), 401, "token_expired")


def test_token_from_another_server_key_is_invalid(server_factory: ServerFactory) -> None:
    one, two = Api(server_factory().url), Api(server_factory().url)  # each makes its own random key
    headers = one.token("1001")
    assert_error(two.get("/operators/1001/cases", headers=headers), 401, "token_invalid")


def test_missing_bearer_token_is_401(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    resp = api.get("/operators/1001/cases")
    assert_error(resp, 401, "not_authenticated")
    assert resp.headers["WWW-Authenticate"] == "Bearer"


def test_register_seat_once_then_rotate(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    assert len(seat.credential) >= 40
    again = api.post("/seats/register", {"seat_id": seat.seat_id, "seat_code": "S002"}, headers=seat.auth)
    assert_error(again, 409, "seat_exists")
    body = {"seat_id": seat.seat_id, "seat_code": "S001"}
    assert_error(api.post("/seats/register", body, headers=seat.auth), 409, "seat_taken")  # no credential
    rotated = api.post("/seats/register", body, headers={**seat.auth, "X-Seat-Credential": seat.credential})
    assert rotated.status_code == 201 and rotated.json()["seat_credential"] != seat.credential
    assert_error(api.get("/sync/pull?cursor=0", headers=seat.headers()), 401, "seat_auth")  # the old one is dead
    seat.credential = rotated.json()["seat_credential"]
    assert seat.pull().status_code == 200
    by_admin = api.post("/seats/register", body, headers=api.token("admin"))  # an administrator may rotate it
    assert by_admin.status_code == 201
    assert_error(seat.pull(), 401, "seat_auth")
    taken = api.post("/seats/register", {"seat_id": str(uuid.uuid4()), "seat_code": "S001"}, headers=seat.auth)
    assert_error(taken, 409, "seat_code_taken")
    assert count_rows(database_url, "seats") == 1


def test_a_reset_lets_the_seat_register_again(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory(auth_recheck_seconds=0).url)
    seat = SeatClient.register(api)
    assert cli(["seat", "reset", "--code", "S001", "--db", database_url]) == 0
    assert_error(seat.pull(), 401, "seat_auth")
    again = api.post("/seats/register", {"seat_id": seat.seat_id, "seat_code": "S001"}, headers=seat.auth)
    assert again.status_code == 201, again.text
    seat.credential = again.json()["seat_credential"]
    assert seat.push([seat.case_created(1)]).json()["results"][0]["status"] == "applied"
    assert cli(["seat", "reset", "--code", "S404", "--db", database_url]) == 1


def test_register_needs_a_token_and_a_valid_body(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    body = {"seat_id": str(uuid.uuid4()), "seat_code": "S001"}
    assert_error(api.post("/seats/register", body), 401)
    auth = api.token("1001")
    assert_error(api.post("/seats/register", {**body, "seat_code": "lower"}, headers=auth), 422, "invalid_request")
    assert_error(api.post("/seats/register", {**body, "seat_id": "not-a-uuid"}, headers=auth), 422)


def test_seat_credential_is_checked(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    seat.credential = "wrong"
    assert_error(seat.push([]), 401, "seat_auth")
    assert_error(api.get("/sync/pull", headers=seat.auth), 401, "seat_auth")


def test_a_login_with_the_seats_credential_signs_the_operator_in_there(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)  # by 1001
    login = {"username": "1002", "password": PASSWORD}
    assert api.post("/auth/login", login).json()["seat_signed_in"] is None
    wrong = api.post("/auth/login", login, headers={"X-Seat-Id": seat.seat_id, "X-Seat-Credential": "not-it"})
    assert wrong.status_code == 200 and wrong.json()["seat_signed_in"] is False  # the password was right
    assert seat.push([seat.case_created(1, operator="1002")]).json()["results"][0]["status"] == "rejected"
    right = api.post("/auth/login", login, headers={"X-Seat-Id": seat.seat_id, "X-Seat-Credential": seat.credential})
    assert right.json()["seat_signed_in"] is True
    assert seat.push([seat.case_created(2, operator="1002")]).json()["results"][0]["status"] == "applied"

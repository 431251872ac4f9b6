"""An outsider's attacks on identity, over loopback against a real server (SQLite and PostgreSQL): taking a seat
over by registering it again, naming someone else as a change's author, forged tokens, password guessing, a
refresh token used after logout. Each is refused with a 4xx and a stable code, and nothing is stored."""
# ruff: noqa: F811 - the server fixtures are imported from tests/server/conftest.py and then requested by name

from __future__ import annotations

import base64
import json
import time

import jwt
from sqlalchemy import select

from central_server.cli import main as cli
from central_server.db.engine import make_engine
from tests.server.api_client import PASSWORD, Api, SeatClient, assert_error, count_rows
from tests.server.conftest import (  # noqa: F401 - the live server and its databases
    ServerFactory,
    database_url,
    pg_cluster,
    server_factory,
    sqlite_template,
)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_taking_a_seat_over_by_registering_it_again_is_refused(server_factory: ServerFactory,
                                                               database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)  # the real seat, registered by 1001
    assert seat.push([seat.case_created(1)]).status_code == 200
    attacker = api.token("1002")  # any operator with a login, who read the seat's id and code off its disk
    body = {"seat_id": seat.seat_id, "seat_code": seat.seat_code}
    assert_error(api.post("/seats/register", body, headers=attacker), 409, "seat_taken")
    guessed = {**attacker, "X-Seat-Credential": "a-guess"}
    assert_error(api.post("/seats/register", body, headers=guessed), 409, "seat_taken")
    lead = api.token("2001")  # a team lead is not an administrator either
    assert_error(api.post("/seats/register", body, headers=lead), 409, "seat_taken")
    # The real seat keeps working: its credential was not rotated.
    resp = seat.push([seat.case_created(2)])
    assert resp.status_code == 200 and resp.json()["results"][0]["status"] == "applied"
    assert seat.pull().status_code == 200
    assert count_rows(database_url, "seats") == 1


def test_naming_an_operator_who_never_signed_in_on_the_seat_is_rejected(server_factory: ServerFactory,
                                                                        database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)  # 1001 signed in here (registering it)
    forged = [seat.case_created(1, operator="admin"), seat.case_created(2, operator="1002"),
              seat.case_created(3, operator="1001")]
    resp = seat.push(forged)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    # admin may not take calls at all (contract/roles.py); 1002 may, but never signed in at this seat.
    assert results[0]["code"] == "operator_not_allowed" and "admin" in results[0]["error"]
    assert results[1]["code"] == "operator_not_signed_in" and "1002" in results[1]["error"]
    assert "未在本座席登录" in results[1]["error"]
    assert count_rows(database_url, "cases") == 1
    assert count_rows(database_url, "case_events") == 1
    # Once 1002 signs in at this seat (password login, then the seat-authenticated sign-in), 1002 may be named.
    signed = api.post("/seats/sign-in", headers={**api.token("1002"), "X-Seat-Id": seat.seat_id,
                                                  "X-Seat-Credential": seat.credential})
    assert signed.status_code == 200, signed.text
    assert seat.push([seat.case_created(4, operator="1002")]).json()["results"][0]["status"] == "applied"
    # Signing in needs the seat's own credential: another seat's operator cannot sign in here.
    wrong = api.post("/seats/sign-in", headers={**api.token("admin"), "X-Seat-Id": seat.seat_id,
                                                 "X-Seat-Credential": "not-it"})
    assert_error(wrong, 401, "seat_auth")
    assert seat.push([seat.case_created(5, operator="admin")]).json()["results"][0]["status"] == "rejected"
    assert count_rows(database_url, "cases") == 2


def test_tampered_access_tokens_are_refused(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    real = seat.auth["Authorization"].removeprefix("Bearer ")
    header, payload, signature = real.split(".")
    claims = _claims(real)
    as_admin = ".".join([header, _b64({**claims, "sub": "admin"}), signature])  # payload changed, old signature
    other_key = jwt.encode({**claims, "sub": "admin"}, "a-key-the-attacker-chose-0123456789", algorithm="HS256")
    unsigned = ".".join([_b64({"alg": "none", "typ": "JWT"}), _b64({**claims, "sub": "admin"}), ""])
    truncated = ".".join([header, payload, signature[:-4]])
    for forged in (as_admin, other_key, unsigned, truncated):
        bearer = {"Authorization": f"Bearer {forged}"}
        assert_error(api.get("/operators/1001/cases", headers=bearer), 401, "token_invalid")
        assert_error(api.get("/sync/pull", headers={**bearer, "X-Seat-Id": seat.seat_id,
                                                    "X-Seat-Credential": seat.credential}), 401, "token_invalid")
    assert api.get("/operators/1001/cases", headers=seat.auth).status_code == 200


def test_password_guessing_is_throttled_then_the_right_password_works(server_factory: ServerFactory) -> None:
    api = Api(server_factory(login_lockout_seconds=3).url)
    answers = [api.post("/auth/login", {"username": "1001", "password": f"guess-{i}"}) for i in range(30)]
    assert [r.status_code for r in answers[:5]] == [401] * 5
    assert {r.status_code for r in answers[5:]} == {429}
    refused = assert_error(answers[-1], 429, "too_many_attempts")
    assert "1001" not in refused["message"] or "guess" not in refused["message"]
    retry_after = int(answers[5].headers["Retry-After"])
    assert 1 <= retry_after <= 3
    # Even the right password waits for the lock-out: it tells the attacker nothing.
    assert_error(api.post("/auth/login", {"username": "1001", "password": PASSWORD}), 429, "too_many_attempts")
    time.sleep(retry_after + 0.2)
    assert api.post("/auth/login", {"username": "1001", "password": PASSWORD}).status_code == 200
    # The next wrong password locks again, for twice as long each time.
    assert api.post("/auth/login", {"username": "1001", "password": "again-wrong"}).status_code == 401


def test_a_lock_out_grows_and_other_users_are_not_locked(server_factory: ServerFactory) -> None:
    api = Api(server_factory(login_lockout_seconds=1).url)
    for i in range(5):
        assert api.post("/auth/login", {"username": "1002", "password": f"x-{i}"}).status_code == 401
    first = assert_error(api.post("/auth/login", {"username": "1002", "password": "x"}), 429)
    assert first["error"] == "too_many_attempts"
    time.sleep(1.2)
    assert api.post("/auth/login", {"username": "1002", "password": "still-wrong"}).status_code == 401
    locked = api.post("/auth/login", {"username": "1002", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 2  # doubled
    assert api.post("/auth/login", {"username": "1001", "password": PASSWORD}).status_code == 200


def test_guessing_many_usernames_from_one_address_is_throttled(server_factory: ServerFactory) -> None:
    api = Api(server_factory(login_lockout_seconds=30).url)
    codes = [api.post("/auth/login", {"username": f"u{i}", "password": "guess-guess"}).status_code
             for i in range(25)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}


def test_logout_revokes_the_refresh_token(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    first, second = api.login("1001"), api.login("1001")  # two sessions of one operator
    resp = api.post("/auth/logout", {"refresh_token": first["refresh_token"]})
    assert resp.status_code == 204, resp.text
    assert_error(api.post("/auth/refresh", {"refresh_token": first["refresh_token"]}), 401, "token_revoked")
    assert api.post("/auth/refresh", {"refresh_token": second["refresh_token"]}).status_code == 200
    assert_error(api.post("/auth/logout", {"refresh_token": first["access_token"]}), 401, "token_invalid")


def test_the_audit_log_records_each_kind_and_no_secret(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory().url)
    seat = SeatClient.register(api)
    assert api.post("/auth/login", {"username": "1002", "password": "wrong-password"}).status_code == 401
    pair = api.login("1002")
    assert api.post("/seats/sign-in", headers={"Authorization": f"Bearer {pair['access_token']}",
                                               "X-Seat-Id": seat.seat_id,
                                               "X-Seat-Credential": seat.credential}).status_code == 200
    rotated = api.post("/seats/register", {"seat_id": seat.seat_id, "seat_code": seat.seat_code},
                       headers={**seat.auth, "X-Seat-Credential": seat.credential})
    assert rotated.status_code == 201, rotated.text
    assert api.post("/auth/logout", {"refresh_token": pair["refresh_token"]}).status_code == 204
    taken = api.post("/seats/register", {"seat_id": seat.seat_id, "seat_code": seat.seat_code},
                     headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert_error(taken, 409, "seat_taken")
    for _ in range(5):
        assert api.post("/auth/login", {"username": "3001", "password": "a-guess-1"}).status_code == 401
    assert cli(["seat", "reset", "--code", seat.seat_code, "--db", database_url]) == 0
    from central_server.db.models import AuditEvent

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AuditEvent)).all()
    finally:
        engine.dispose()
    kinds = {r.kind for r in rows}
    assert {"login", "login_failed", "login_locked", "seat_registered", "sign_in", "seat_credential_rotated",
            "seat_register_refused", "logout", "seat_reset"} <= kinds, kinds
    failed = next(r for r in rows if r.kind == "login_failed")
    assert failed.username == "1002" and failed.address == "127.0.0.1"
    reg = next(r for r in rows if r.kind == "seat_registered")
    assert reg.user_id == "1001" and reg.seat_id == seat.seat_id
    text = json.dumps([[str(v) for v in r] for r in rows], ensure_ascii=False)
    for secret in (PASSWORD, "wrong-password", "a-guess-1", seat.credential, rotated.json()["seat_credential"],
                   pair["refresh_token"], pair["access_token"]):
        assert secret not in text


def test_a_reset_seat_registers_again_once(server_factory: ServerFactory, database_url: str) -> None:
    api = Api(server_factory(auth_recheck_seconds=0).url)
    seat = SeatClient.register(api)
    assert cli(["seat", "reset", "--code", seat.seat_code, "--db", database_url]) == 0
    assert_error(seat.pull(), 401, "seat_auth")  # the old credential is dead
    body = {"seat_id": seat.seat_id, "seat_code": seat.seat_code}
    again = api.post("/seats/register", body, headers=api.token("1002"))
    assert again.status_code == 201, again.text
    assert_error(api.post("/seats/register", body, headers=api.token("1001")), 409, "seat_taken")
    assert cli(["seat", "reset", "--code", "S999", "--db", database_url]) == 1  # no such seat
    assert count_rows(database_url, "seats") == 1

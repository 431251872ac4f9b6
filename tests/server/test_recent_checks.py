"""Sync calls trust a recent database check of the user and the seat for a few seconds, no longer."""

from __future__ import annotations

import time

import sqlalchemy as sa

from central_server.core.recent_checks import RecentChecks, seat_key, user_key
from tests.server.api_client import Api, SeatClient, assert_error
from tests.server.conftest import ServerFactory


def _set_active(database_url: str, user_id: str, active: bool) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET active = :a WHERE id = :u"), {"a": active, "u": user_id})
    engine.dispose()


def test_a_disabled_operator_is_refused_once_the_check_is_stale(server_factory: ServerFactory,
                                                               database_url: str) -> None:
    seat = SeatClient.register(Api(server_factory(auth_recheck_seconds=0.5).url))
    assert seat.pull().status_code == 200
    _set_active(database_url, "1001", False)
    time.sleep(0.6)
    assert_error(seat.pull(), 401, "token_invalid")
    assert_error(seat.push([seat.case_created(1)]), 401, "token_invalid")


def test_without_the_memory_every_call_is_checked(server_factory: ServerFactory, database_url: str) -> None:
    seat = SeatClient.register(Api(server_factory(auth_recheck_seconds=0).url))
    assert seat.pull().status_code == 200
    _set_active(database_url, "1001", False)
    assert_error(seat.pull(), 401, "token_invalid")


def test_a_wrong_seat_credential_is_never_vouched_for(server_factory: ServerFactory) -> None:
    seat = SeatClient.register(Api(server_factory(auth_recheck_seconds=60).url))
    assert seat.pull().status_code == 200
    right = seat.credential
    seat.credential = right[:-1] + ("A" if right[-1] != "A" else "B")
    assert_error(seat.pull(), 401, "seat_auth")


def test_recent_checks_expire_and_can_be_forgotten() -> None:
    recent = RecentChecks(0.2)
    recent.remember(user_key("1001"))
    recent.remember(seat_key("s1", "secret"))
    assert recent.fresh(user_key("1001")) and recent.fresh(seat_key("s1", "secret"))
    assert not recent.fresh(seat_key("s1", "other"))
    recent.forget("seat", "s1")
    assert not recent.fresh(seat_key("s1", "secret")) and recent.fresh(user_key("1001"))
    time.sleep(0.25)
    assert not recent.fresh(user_key("1001"))
    off = RecentChecks(0)
    off.remember(user_key("1001"))
    assert not off.fresh(user_key("1001"))


def test_a_verified_access_token_is_remembered_only_until_it_expires() -> None:
    from central_server.core.errors import AuthFailed
    from central_server.core.security import TokenService

    tokens = TokenService("k" * 48, access_minutes=1 / 60, refresh_hours=1)  # lives one second
    pair = tokens.issue("1001")
    assert tokens.subject(pair.access_token, "access") == "1001"
    assert tokens.subject(pair.access_token, "access") == "1001"  # from memory
    for bad, kind in ((pair.refresh_token, "access"), (pair.access_token, "refresh")):
        try:
            tokens.subject(bad, kind)  # type: ignore[arg-type]
        except AuthFailed as exc:
            assert exc.code == "token_invalid"
        else:
            raise AssertionError(f"a {kind} check accepted the wrong kind of token")
    time.sleep(2.1)
    try:
        tokens.subject(pair.access_token, "access")
    except AuthFailed as exc:
        assert exc.code == "token_expired"
    else:
        raise AssertionError("an expired access token was accepted from memory")

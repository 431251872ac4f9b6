"""Call records: who may post them, what the server refuses (and then stores nothing), idempotency by call_id, and
the simulated shift for the demo."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from central_server.cli import main as cli_main
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Seat
from central_server.services.calls_simulate import simulate_calls, simulate_shift
from central_server.services.lead_config import load_lead_settings
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD, Api, assert_error, count_rows
from tests.server.conftest import ServerFactory

TZ = ZoneInfo("Asia/Shanghai")
SHIFTS = load_lead_settings(resources_dir(Settings())).shifts


def a_call(call_id: str = "c1", **changes: Any) -> dict[str, Any]:
    body = {"call_id": call_id, "offered_at": "2026-03-02T09:00:00+08:00",
            "answered_at": "2026-03-02T09:00:40+08:00", "ended_at": "2026-03-02T09:05:00+08:00",
            "wait_seconds": 40, "abandoned": False, "seat_code": "S101", "operator_id": "1001",
            "caller_masked": "138****0000"}
    return {**body, **changes}


def add_people(database_url: str) -> None:
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        create_user(s, username="9001", name="话务系统", role="telephony", password=PASSWORD)
        s.add(Seat(id=str(uuid.uuid4()), seat_code="S101", credential_hash="x" * 64, registered_by="1001",
                   registered_at=datetime.now(UTC), last_applied_seq=0))
        s.commit()
    engine.dispose()


def test_posting_calls_is_idempotent_and_refuses_bad_input(server_factory: ServerFactory, database_url: str
                                                           ) -> None:
    add_people(database_url)
    api = Api(server_factory().url)
    telephony = api.token("9001")
    abandoned = a_call("c2", answered_at=None, operator_id=None, abandoned=True, wait_seconds=95)
    first = api.post("/calls", {"calls": [a_call(), abandoned, a_call()]}, headers=telephony)
    assert first.json() == {"stored": 2, "duplicates": 1}, first.text
    again = api.post("/calls", {"calls": [a_call(wait_seconds=1), a_call("c3")]}, headers=api.token("admin"))
    assert again.json() == {"stored": 1, "duplicates": 1}
    assert count_rows(database_url, "call_records") == 3
    bad = [
        a_call("b1", ended_at="2026-03-02T08:00:00+08:00"),  # ends before it was offered
        a_call("b2", answered_at="2026-03-02T08:59:00+08:00"),  # answered before it was offered
        a_call("b3", wait_seconds=-1),
        a_call("b4", abandoned=True),  # abandoned yet answered
        a_call("b5", answered_at=None),  # neither answered nor abandoned
        a_call("b6", offered_at="2026-03-02T09:00:00"),  # no offset
        a_call("b7", caller_masked="13800000000"),  # a whole phone number
        a_call("b8", wait_seconds=10_000),  # longer than the call
        {**a_call("b9"), "extra": 1},
    ]
    for call in bad:
        assert_error(api.post("/calls", {"calls": [a_call("ok"), call]}, headers=telephony), 422)
    assert_error(api.post("/calls", {"calls": [a_call("ok"), a_call("u1", seat_code="S999")]}, headers=telephony),
                 404, "unknown_seat")
    assert_error(api.post("/calls", {"calls": [a_call("ok"), a_call("u2", operator_id="7777")]},
                          headers=telephony), 404, "unknown_operator")
    assert_error(api.post("/calls", {"calls": [a_call(f"m{i}") for i in range(5001)]}, headers=telephony), 422)
    assert_error(api.post("/calls", {"calls": []}, headers=telephony), 422)
    assert count_rows(database_url, "call_records") == 3  # nothing of a refused post was stored
    for who in ("1001", "2001", "3001"):
        assert_error(api.post("/calls", {"calls": [a_call("z")]}, headers=api.token(who)), 403, "forbidden")
    assert_error(api.post("/calls", {"calls": [a_call("z")]}), 401)


def test_a_simulated_shift_looks_like_a_hotline() -> None:
    from central_server.services.calls_simulate import _Agent

    agents = [_Agent(f"10{i:02d}", f"S{i:03d}") for i in range(1, 7)]
    start = datetime(2026, 3, 2, 8, tzinfo=TZ)
    calls = simulate_calls(agents, start, start + timedelta(hours=8), seed=7, id_prefix="T")
    assert calls == simulate_calls(agents, start, start + timedelta(hours=8), seed=7, id_prefix="T")
    per_hour = [sum(1 for c in calls if c.offered_at.hour == h) for h in range(8, 16)]
    assert len(calls) > 250 and all(n > 0 for n in per_hour)
    assert max(per_hour[1:4]) > per_hour[4]  # the mid-morning peak over the lunch dip
    answered = [c for c in calls if not c.abandoned]
    abandoned = [c for c in calls if c.abandoned]
    assert 0 < len(abandoned) < len(calls) * 0.3
    assert mean(c.wait_seconds for c in abandoned) > mean(c.wait_seconds for c in answered)
    assert {c.operator_id for c in answered} == {a.operator_id for a in agents}
    for c in calls:
        assert c.offered_at <= c.ended_at and start <= c.offered_at < start + timedelta(hours=8)
        assert c.abandoned == (c.answered_at is None) and (c.operator_id is None) == c.abandoned
        if c.answered_at is not None:
            assert c.offered_at <= c.answered_at <= c.ended_at
            assert c.wait_seconds == pytest.approx((c.answered_at - c.offered_at).total_seconds(), abs=0.1)
    # No operator answers two calls at once.
    for agent in agents:
        mine = sorted((c.answered_at or c.offered_at, c.ended_at) for c in answered if c.operator_id == agent.operator_id)
        assert all(a[1] <= b[0] for a, b in zip(mine, mine[1:], strict=False))


def test_simulate_stores_once_and_the_command_runs(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    add_people(database_url)
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        first = simulate_shift(s, day=date(2026, 3, 2), timezone=TZ, shifts=SHIFTS, shift="夜班", seed=1)
        assert first.stored > 20 and first.duplicates == 0
        assert simulate_shift(s, day=date(2026, 3, 2), timezone=TZ, shifts=SHIFTS, shift="夜班", seed=1).stored == 0
    engine.dispose()
    assert cli_main(["calls", "simulate", "--db", database_url, "--date", "2026-03-02", "--seed", "2"]) == 0
    assert "stored" in capsys.readouterr().out
    assert count_rows(database_url, "call_records") > first.stored
    assert cli_main(["calls", "simulate", "--db", database_url, "--date", "2026-13-02"]) == 2

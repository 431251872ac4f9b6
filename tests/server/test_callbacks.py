"""Callbacks (回访) on a real server: 办结 → due after the delay → queue order → exclusive claim → results, 重办 after
不满意, retries of 无法联系, and the 满意率 the team lead's KPIs compute from them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case
from central_server.embedded import EmbeddedServer
from central_server.services import callbacks
from central_server.services.callback_config import packaged_settings
from central_server.services.case_history import append_event
from central_server.services.kpis import Scope, lead_kpis
from tests.server.api_client import Api, SeatClient, assert_error

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """The callback service's clock (the embedded server runs in this process)."""
    c = Clock()
    monkeypatch.setattr(callbacks, "clock", c)
    yield c


def _push_cases(seat: SeatClient, special: set[int], count: int) -> list[str]:
    mutations = []
    for i in range(1, count + 1):
        m = seat.case_created(i)
        if i in special:
            m["args"]["event"]["payload"]["fields"]["special_needs"] = ["elderly"]
        mutations.append(m)
    resp = seat.push(mutations)
    assert resp.status_code == 200, resp.text
    return [m["args"]["event"]["payload"]["number"] for m in mutations]


def _act(api: Api, admin: dict[str, str], number: str, action: str, **extra: Any) -> dict[str, Any]:
    resp = api.post(f"/cases/{number}/actions", {"action": action, "department_id": "zjj", **extra}, headers=admin)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _complete(api: Api, admin: dict[str, str], number: str) -> None:
    _act(api, admin, number, "sign")
    _act(api, admin, number, "complete", reason="已修复楼道灯")


def _queue(api: Api, auth: dict[str, str]) -> list[dict[str, Any]]:
    resp = api.get("/callbacks/queue", headers=auth)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["rows"])


def _result(api: Api, auth: dict[str, str], number: str, result: str, note: str = "") -> Any:
    return api.post(f"/callbacks/{number}/result", {"result": result, "note": note}, headers=auth)


def test_completed_case_is_called_back_and_dissatisfied_reopens_it(server: EmbeddedServer, clock: Clock) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    admin, op1, op2 = api.token("admin"), api.token("1001"), api.token("1002")
    first, second, third = _push_cases(seat, special={3}, count=3)
    for number in (first, second):
        _complete(api, admin, number)
        clock.advance(minutes=5)
    _complete(api, admin, third)  # the last completed, but its citizen is elderly

    assert _queue(api, op1) == []  # resources/callbacks.toml: due 2 hours after 办结
    clock.advance(hours=2)
    rows = _queue(api, op1)
    assert [r["number"] for r in rows] == [third, first, second]  # special needs first, then the oldest due
    assert rows[0]["special_needs"] == ["老年人"] and rows[0]["phone"] == "138****0000"
    assert rows[0]["reply"] == "已修复楼道灯" and rows[0]["content"] == "楼道灯坏了"
    assert rows[0]["department"] == "市住房和城乡建设局"

    # one operator at a time; the claim lapses
    assert api.post(f"/callbacks/{first}/claim", headers=op1).status_code == 200
    assert_error(api.post(f"/callbacks/{first}/claim", headers=op2), 409, "callback_claimed")
    assert_error(_result(api, op2, first, "satisfied"), 409, "callback_not_claimed")
    assert_error(api.post(f"/callbacks/{first}/reveal", headers=op2), 409, "callback_not_claimed")
    assert api.post(f"/callbacks/{first}/reveal", headers=op1).json() == {"phone": "13800000000"}
    assert _queue(api, op2)[1]["claimed_by"] == "1001"
    clock.advance(minutes=11)
    assert api.post(f"/callbacks/{first}/claim", headers=op2).status_code == 200

    # 不满意 needs a reason, then reopens the case to its lead department with a new finish deadline
    assert_error(_result(api, op2, first, "dissatisfied", " "), 422, "reason_required")
    resp = _result(api, op2, first, "dissatisfied", "灯还是不亮")
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["final"] is True and answer["status"] == "dispatched"
    # the default rule finishes in 24 hours, counted from the callback
    assert datetime.fromisoformat(answer["finish_by"]) == clock.now + timedelta(hours=24)
    assert first not in [r["number"] for r in _queue(api, op1)]
    changes, _ = seat.pull_all()
    kinds = [(c["data"]["event"]["kind"], c["data"]["event"]["payload"]) for c in changes
             if c["data"]["number"] == first and c["data"]["event"]["kind"] in ("callback", "reopened")]
    assert kinds[0] == ("callback", {"result": "dissatisfied", "note": "灯还是不亮"})
    assert kinds[1][0] == "reopened" and kinds[1][1]["reason"] == "灯还是不亮"
    assert kinds[1][1]["callback_event_id"] == answer["event_id"]
    assert kinds[1][1]["new_finish_by"] == answer["finish_by"]

    # the department has it again (sign is allowed only on a dispatched case); its next 办结 makes it due again
    _complete(api, admin, first)
    assert first not in [r["number"] for r in _queue(api, op1)]
    clock.advance(hours=2)
    assert first in [r["number"] for r in _queue(api, op1)]


def test_unreachable_is_retried_then_final(server: EmbeddedServer, clock: Clock) -> None:
    api = Api(server.url)
    seat = SeatClient.register(api)
    admin, op = api.token("admin"), api.token("1001")
    (number,) = _push_cases(seat, special=set(), count=1)
    _complete(api, admin, number)
    clock.advance(hours=2)
    for attempt in (1, 2):
        assert api.post(f"/callbacks/{number}/claim", headers=op).status_code == 200
        answer = _result(api, op, number, "unreachable", f"第{attempt}次无人接听").json()
        assert answer["final"] is False
        assert datetime.fromisoformat(answer["due_at"]) == clock.now + timedelta(minutes=60)
        assert _queue(api, op) == []  # back after retry_after_minutes
        assert_error(api.post(f"/callbacks/{number}/claim", headers=op), 409, "callback_not_due")
        clock.advance(minutes=60)
        assert [r["attempts"] for r in _queue(api, op)] == [attempt]
    api.post(f"/callbacks/{number}/claim", headers=op)
    assert _result(api, op, number, "unreachable").json()["final"] is True  # the third of attempts = 3
    clock.advance(days=1)
    assert _queue(api, op) == []


def test_satisfaction_rate_over_a_fixed_set(server: EmbeddedServer, database_url: str, clock: Clock) -> None:
    """Cases and their callbacks, the last reached result of each counting:
    A 满意, B 满意, C 基本满意, D 不满意, E 无法联系 ×3 (final), F 不满意 → 重办 → 满意,
    G 无法联系 once (attempts left: no result yet), H 不满意 → 重办 → 无法联系 ×3 (the citizen's word stays 不满意).
    satisfied 3 (A B F), basically 1 (C), dissatisfied 2 (D H), unreachable 1 (E):
    满意率 = (3 + 1) / (3 + 1 + 2) = 4/6; unreachable is not in the rate."""
    api = Api(server.url)
    seat = SeatClient.register(api)
    admin, op = api.token("admin"), api.token("1001")
    numbers = dict(zip("ABCDEFGH", _push_cases(seat, special=set(), count=8), strict=True))

    def called(letter: str, result: str, note: str = "回访记录") -> None:
        assert api.post(f"/callbacks/{numbers[letter]}/claim", headers=op).status_code == 200
        assert _result(api, op, numbers[letter], result, note).status_code == 200

    for n in numbers.values():
        _complete(api, admin, n)
    clock.advance(hours=2)
    for letter, result in zip("ABCDFH", ("satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                                         "dissatisfied", "dissatisfied"), strict=True):
        called(letter, result)
    for _ in range(3):
        called("E", "unreachable")
        clock.advance(hours=1)
    called("G", "unreachable")
    _complete(api, admin, numbers["F"])
    _complete(api, admin, numbers["H"])
    clock.advance(hours=2)
    called("F", "satisfied")
    for _ in range(3):
        called("H", "unreachable")
        clock.advance(hours=1)

    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            figures = lead_kpis(session, Scope(None, {}, {}), datetime(2026, 3, 1, tzinfo=UTC),
                                datetime(2026, 3, 2, tzinfo=UTC), clock.now)
    finally:
        engine.dispose()
    assert figures["satisfaction"] == {"satisfied": 3, "basically_satisfied": 1, "dissatisfied": 2,
                                       "unreachable": 1, "rate": pytest.approx(4 / 6)}


def test_claims_at_the_same_moment_give_each_callback_to_one_operator(server: EmbeddedServer, clock: Clock) -> None:
    """Three people who take calls (1001, 1002 and the lead 2001) claim the same five callbacks at once."""
    api = Api(server.url)
    seat = SeatClient.register(api)
    admin = api.token("admin")
    people = {user: api.token(user) for user in ("1001", "1002", "2001")}
    numbers = _push_cases(seat, special=set(), count=5)
    for n in numbers:
        _complete(api, admin, n)
    clock.advance(hours=2)

    def claim(job: tuple[str, str]) -> tuple[str, str, int]:
        number, user = job
        return number, user, Api(server.url).post(f"/callbacks/{number}/claim", headers=people[user]).status_code

    jobs = [(n, u) for n in numbers for u in people]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(claim, jobs))
    winners = {n: [u for m, u, code in outcomes if m == n and code == 200] for n in numbers}
    assert all(len(w) == 1 for w in winners.values()), outcomes
    assert {code for _n, _u, code in outcomes} == {200, 409}
    rows = {r["number"]: r["claimed_by"] for r in _queue(api, people["1001"])}
    assert rows == {n: w[0] for n, w in winners.items()}


def test_cases_completed_without_dispatch_get_their_callback(server: EmbeddedServer, database_url: str,
                                                            clock: Clock) -> None:
    """The demo shift appends its 办结 events itself: afterwards, each completed case without a callback after
    its 办结 is due 2 hours after it; one already called back is not."""
    api = Api(server.url)
    seat = SeatClient.register(api)
    waiting, called = _push_cases(seat, special=set(), count=2)
    engine = make_engine(database_url)
    completed_at = START - timedelta(hours=5)
    try:
        with session_factory(engine)() as session:
            for number in (waiting, called):
                case = session.scalars(select(Case).where(Case.number == number)).one()
                case.status = "closed"
                append_event(session, case, kind="completed", payload={"department_id": "zjj"}, actor_id="zjj",
                             at=completed_at)
                if number == called:
                    append_event(session, case, kind="callback", payload={"result": "satisfied", "note": ""},
                                 actor_id="1001", at=START - timedelta(hours=1))
            session.commit()
            assert callbacks.schedule_unscheduled(session, packaged_settings()) == 1
            session.commit()
            assert callbacks.schedule_unscheduled(session, packaged_settings()) == 0
    finally:
        engine.dispose()
    rows = _queue(api, api.token("1001"))
    assert [(r["number"], datetime.fromisoformat(r["due_at"])) for r in rows] == [
        (waiting, completed_at + timedelta(hours=2))]


def test_a_citizen_without_a_number_is_not_called_back(server: EmbeddedServer, clock: Clock) -> None:
    """Seen on the demo: a case taken without a phone (无号码) was in the queue with nothing to dial."""
    api = Api(server.url)
    seat = SeatClient.register(api)
    admin = api.token("admin")
    mutations = [seat.case_created(1), seat.case_created(2)]
    mutations[0]["args"]["event"]["payload"]["fields"]["phone"] = ""
    resp = seat.push(mutations)
    assert resp.status_code == 200 and "rejected" not in resp.text, resp.text
    without, with_phone = (m["args"]["event"]["payload"]["number"] for m in mutations)
    for number in (without, with_phone):
        _complete(api, admin, number)
    clock.advance(hours=2)
    assert [r["number"] for r in _queue(api, api.token("1001"))] == [with_phone]

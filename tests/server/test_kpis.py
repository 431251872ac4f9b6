"""The team lead's KPIs from a fixed, hand-made set of cases, department events, callbacks and calls: every figure
is compared with the value worked out by hand (in the comments), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.city import load_city_facts
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, Seat
from central_server.services import case_history
from central_server.services.calls import Call, store_calls
from central_server.services.case_history import append_event
from central_server.services.cases import create_case_from_seat
from central_server.services.kpis import Scope, lead_kpis
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD, Api, SeatClient, assert_error, case_fields
from tests.server.conftest import ServerFactory

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
CITY = load_city_facts(RESOURCES)
TEAM = {"1101": "甲一", "1102": "甲二", "2101": "甲组长"}
OTHER = {"1201": "乙一"}
NOW = datetime.fromisoformat("2026-03-10T12:00:00+08:00")
EARLY_SHIFT = (datetime.fromisoformat("2026-03-02T08:00:00+08:00"), datetime.fromisoformat("2026-03-02T16:00:00+08:00"))
# 中班 of 03-01, 夜班 and 早班 of 03-02: crosses midnight and two shift boundaries.
DAY = (datetime.fromisoformat("2026-03-01T16:00:00+08:00"), datetime.fromisoformat("2026-03-02T16:00:00+08:00"))


def t(text: str) -> datetime:
    """City time on the demo city's clock (+08:00)."""
    return datetime.fromisoformat(text if "+" in text else text + "+08:00")


class Clock:
    """Stands in for case_history's `datetime`, so each event is recorded at a chosen time."""

    at = datetime(2026, 1, 1, tzinfo=UTC)

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        return cls.at.astimezone(tz)


@pytest.fixture
def session(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setattr(case_history, "datetime", Clock)
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        for people, team, role in ((TEAM, "一班", "operator"), (OTHER, "二班", "operator")):
            for uid, name in people.items():
                create_user(s, username=uid, name=name, password=PASSWORD, team=team,
                            role="team_lead" if uid.startswith("2") else role)
        for code in ("S101", "S102", "S201"):
            s.add(Seat(id=str(uuid.uuid4()), seat_code=code, credential_hash="x" * 64, registered_by="1101",
                       registered_at=datetime.now(UTC), last_applied_seq=0))
        s.commit()
        yield s
    engine.dispose()


def created_args(seat_code: str, number: int, accepted: str, *, respond_by: str = "", finish_by: str = "",
                 direct: bool = False, routing: str | None = None, handling: float | None = None
                 ) -> dict[str, Any]:
    """The args of a "case.created" as the seat sends them; `routing`: None, "accepted" or "overridden"."""
    fields = case_fields(disposition="direct" if direct else "dispatch")
    payload: dict[str, Any] = {"number": f"{seat_code}-20260301-{number:04d}", "fields": fields}
    if not direct:
        payload |= {"respond_by": t(respond_by).isoformat(), "finish_by": t(finish_by).isoformat()}
    if routing is not None:
        top = "城乡建设" if routing == "accepted" else "劳动社保"
        payload["routing"] = {"model_version": "m1", "suggestions": [
            {"category": top, "lead_department": "zjj", "district": "donghu", "confidence": 0.8}],
            "chosen": {"category": fields["category"], "lead_department": "zjj", "district": "donghu"},
            "overridden": routing == "overridden"}
    if handling is not None:
        payload["handling_seconds"] = handling
    return {"case_id": str(uuid.uuid4()), "seat_code": seat_code, "event": {
        "id": str(uuid.uuid4()), "seq": 1, "kind": "created", "recorded_at": t(accepted).isoformat(),
        "payload": payload}}


class Book:
    """Writes the scenario through the server's own code paths (case creation, append_event)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seats = {s.seat_code: s for s in session.scalars(select(Seat))}
        self.numbers = 0

    def case(self, operator: str, accepted: str, **kw: Any) -> Case:
        self.numbers += 1
        seat = self.seats["S201" if operator in OTHER else "S101"]
        args = created_args(seat.seat_code, self.numbers, accepted, **kw)
        case = create_case_from_seat(self.session, seat=seat, operator_id=operator, entity_id=args["case_id"],
                                     args=args, city=CITY.city)
        self.session.commit()
        return case

    def event(self, case: Case, kind: str, at: str, **payload: Any) -> None:
        Clock.at = t(at)
        append_event(self.session, case, kind=kind, payload=payload, actor_id="dept")
        self.session.commit()


def build_scenario(session: Session) -> None:
    b = Book(session)
    # c1: 夜班, one second before the 早班 starts.
    c1 = b.case("1101", "2026-03-02T07:59:59", respond_by="2026-03-02T09:59:00", finish_by="2026-03-04T07:59:00",
                routing="accepted", handling=300)
    b.event(c1, "signed", "2026-03-02T09:00:00", department_id="zjj")  # response on time
    b.event(c1, "completed", "2026-03-03T10:00:00", department_id="zjj")  # completed on time
    b.event(c1, "callback", "2026-03-04T10:00:00", result="satisfied", note="")
    # c2: the first second of the 早班.
    c2 = b.case("1101", "2026-03-02T08:00:00", respond_by="2026-03-02T10:00:00", finish_by="2026-03-02T18:00:00",
                routing="overridden", handling=420)
    b.event(c2, "signed", "2026-03-02T10:30:00", department_id="zjj")  # response late
    b.event(c2, "extended", "2026-03-02T11:00:00", department_id="zjj", reason="需现场勘查",
            previous_finish_by=t("2026-03-02T18:00:00").isoformat(),
            new_finish_by=t("2026-03-05T18:00:00").isoformat())
    b.event(c2, "completed", "2026-03-05T12:00:00", department_id="zjj")  # on time against the extension
    b.event(c2, "callback", "2026-03-06T09:00:00", result="basically_satisfied", note="")
    # c3: the last second of the 早班; returned (退单) on time, redispatched, never completed: overdue.
    c3 = b.case("1102", "2026-03-02T15:59:59", respond_by="2026-03-02T17:59:59", finish_by="2026-03-03T15:59:59")
    b.event(c3, "returned", "2026-03-02T17:00:00", department_id="zjj", reason="不属本单位职责")
    b.event(c3, "redispatched", "2026-03-02T17:30:00", from_department="zjj", to_department="rsj", reason="改派")
    b.event(c3, "signed", "2026-03-02T18:00:00", department_id="rsj")
    b.event(c3, "callback", "2026-03-04T11:00:00", result="dissatisfied", note="")
    # c4: the 中班's first second, answered on the call (直接办结).
    c4 = b.case("1102", "2026-03-02T16:00:00", direct=True, routing="accepted", handling=120)
    b.event(c4, "callback", "2026-03-03T09:00:00", result="unreachable", note="")
    # c5: 23:30 the day before: still open, respond-by passed without a response, finish-by not yet due.
    b.case("1101", "2026-03-01T23:30:00", respond_by="2026-03-02T01:30:00", finish_by="2026-03-12T23:30:00")
    # c6: nothing due yet (respond-by after NOW).
    b.case("1101", "2026-03-02T12:00:00", respond_by="2026-03-10T13:00:00", finish_by="2026-03-20T12:00:00",
           routing="accepted", handling=200)
    # c7: another team's case in the same shift.
    c7 = b.case("1201", "2026-03-02T09:00:00", respond_by="2026-03-02T11:00:00", finish_by="2026-03-03T09:00:00",
                routing="overridden", handling=100)
    b.event(c7, "signed", "2026-03-02T09:30:00", department_id="zjj")
    b.event(c7, "returned", "2026-03-02T09:40:00", department_id="zjj", reason="x")
    # c8: extended twice; completed after the first extension's deadline, before the second's.
    c8 = b.case("1102", "2026-03-02T09:15:00", respond_by="2026-03-02T11:15:00", finish_by="2026-03-03T09:15:00",
                routing="accepted")
    b.event(c8, "extended", "2026-03-02T10:00:00", department_id="zjj", reason="a",
            new_finish_by=t("2026-03-06T09:00:00").isoformat())
    b.event(c8, "extended", "2026-03-05T10:00:00", department_id="zjj", reason="b",
            new_finish_by=t("2026-03-08T09:00:00").isoformat())
    b.event(c8, "completed", "2026-03-07T10:00:00", department_id="zjj")
    b.event(c8, "callback", "2026-03-07T15:00:00", result="satisfied", note="")
    b.event(c8, "callback", "2026-03-08T15:00:00", result="dissatisfied", note="回访后不满意")  # the last counts
    store_calls(session, [
        call("A", "08:10:00", 20, operator="1101", seat="S101"),
        call("B", "09:00:00", 60, operator="1102", seat="S102"),
        call("C", "10:00:00", 120, seat="S101"),  # abandoned ringing at a seat the team answered at
        call("D", "11:00:00", 90),  # abandoned in the city's queue: no team's
        call("E", "12:00:00", 10, operator="1201", seat="S201"),
        call("F", "13:00:00", 30, seat="S201"),  # abandoned at the other team's seat
        call("G", "16:30:00", 15, operator="1101", seat="S101"),  # after the 早班
        call("H", "07:00:00", 45, seat="S101"),  # before it
    ])


def call(call_id: str, clock: str, wait: float, *, operator: str | None = None, seat: str | None = None) -> Call:
    offered = t(f"2026-03-02T{clock}")
    answered = offered + timedelta(seconds=wait) if operator else None
    return Call(call_id=call_id, offered_at=offered, answered_at=answered,
                ended_at=offered + timedelta(seconds=wait + 200), wait_seconds=wait, abandoned=operator is None,
                seat_code=seat, operator_id=operator)


def team_scope() -> Scope:
    return Scope(members=dict(TEAM), names=dict(TEAM), departments=CITY.departments)


def hours(answer: dict[str, Any]) -> dict[int, int]:
    return {h["hour"]: h["count"] for h in answer["cases_per_hour"] if h["count"]}


def test_the_early_shift_of_a_team(session: Session) -> None:
    build_scenario(session)
    k = lead_kpis(session, team_scope(), *EARLY_SHIFT, NOW)
    # c2 08:00:00, c8 09:15, c6 12:00, c3 15:59:59 (c1 07:59:59 and c4 16:00 fall outside; c7 is not the team's)
    assert k["cases"] == 4
    assert hours(k) == {8: 1, 9: 1, 12: 1, 15: 1}
    assert len(k["cases_per_hour"]) == 24
    assert [(o["operator_id"], o["name"], o["count"]) for o in k["cases_per_operator"]] == [
        ("1101", "甲一", 2), ("1102", "甲二", 2), ("2101", "甲组长", 0)]
    # due: c2 (late: 10:30 > 10:00), c3 (17:00 ≤ 17:59:59), c8 (extension 10:00 ≤ 11:15); c6 not yet due
    assert k["response_on_time"] == {"on_time": 2, "due": 3, "rate": pytest.approx(2 / 3)}
    # due: c2 (on time against its extension), c3 (open past finish-by: late), c8 (on time against the last
    # extension, late against the first); c6 open and not due
    assert k["completion_on_time"] == {"on_time": 2, "due": 3, "rate": pytest.approx(2 / 3)}
    # c2 basically satisfied, c3 dissatisfied, c8 dissatisfied (its last callback)
    assert k["satisfaction"] == {"satisfied": 0, "basically_satisfied": 1, "dissatisfied": 2, "unreachable": 0,
                                 "rate": pytest.approx(1 / 3)}
    # A and B answered by the team, C abandoned at S101 (a seat the team answered at); D, E, F, G, H are not
    assert k["answer_rate"] == {"offered": 3, "answered": 2, "abandoned": 1, "rate": pytest.approx(2 / 3)}
    assert k["avg_wait_seconds"] == pytest.approx((20 + 60 + 120) / 3)
    assert k["avg_handling_seconds"] == pytest.approx((420 + 200) / 2)  # c3 and c8 recorded none
    assert k["routing"] == {"suggested": 3, "accepted": 2, "overridden": 1,  # c2 overridden; c6, c8 accepted
                            "acceptance_rate": pytest.approx(2 / 3), "override_rate": pytest.approx(1 / 3)}
    assert [(d["department_id"], d["dispatched"], d["returned"]) for d in k["returns_by_department"]] == [
        ("zjj", 4, 1), ("rsj", 1, 0)]  # c2, c3, c6, c8 to zjj, which returned c3; c3 redispatched to rsj
    assert k["returns_by_department"][0]["rate"] == pytest.approx(1 / 4)


def test_a_day_across_midnight_and_shift_boundaries(session: Session) -> None:
    build_scenario(session)
    k = lead_kpis(session, team_scope(), *DAY, NOW)
    assert k["cases"] == 6  # c5 23:30, c1 07:59:59 and the four of the 早班
    assert hours(k) == {23: 1, 7: 1, 8: 1, 9: 1, 12: 1, 15: 1}
    # + c5 (no response, respond-by passed: late) + c1 (on time)
    assert k["response_on_time"] == {"on_time": 3, "due": 5, "rate": pytest.approx(3 / 5)}
    # + c1 (on time); c5 is open and not yet due: left out
    assert k["completion_on_time"] == {"on_time": 3, "due": 4, "rate": pytest.approx(3 / 4)}
    assert k["satisfaction"]["rate"] == pytest.approx(2 / 4)
    assert k["avg_handling_seconds"] == pytest.approx((300 + 420 + 200) / 3)
    assert k["routing"]["suggested"] == 4 and k["routing"]["overridden"] == 1
    assert [(d["department_id"], d["dispatched"], d["returned"]) for d in k["returns_by_department"]] == [
        ("zjj", 6, 1), ("rsj", 1, 0)]


def test_the_whole_city_and_a_later_now(session: Session) -> None:
    build_scenario(session)
    city = Scope(members=None, names={**TEAM, **OTHER}, departments=CITY.departments)
    k = lead_kpis(session, city, *EARLY_SHIFT, NOW)
    assert k["cases"] == 5 and hours(k) == {8: 1, 9: 2, 12: 1, 15: 1}  # + c7
    assert ("1201", "乙一", 1) in [(o["operator_id"], o["name"], o["count"]) for o in k["cases_per_operator"]]
    assert k["response_on_time"] == {"on_time": 3, "due": 4, "rate": pytest.approx(3 / 4)}
    # c7: returned, never completed, past due
    assert k["completion_on_time"] == {"on_time": 2, "due": 4, "rate": pytest.approx(2 / 4)}
    # every call of the 早班 window: A-F; G and H fall outside
    assert k["answer_rate"] == {"offered": 6, "answered": 3, "abandoned": 3, "rate": pytest.approx(3 / 6)}
    assert k["avg_wait_seconds"] == pytest.approx((20 + 60 + 120 + 90 + 10 + 30) / 6)
    assert k["returns_by_department"][0]["department_id"] == "zjj"
    assert (k["returns_by_department"][0]["dispatched"], k["returns_by_department"][0]["returned"]) == (5, 2)
    # A month later c6 is due: its response never came and its finish-by passed.
    later = lead_kpis(session, team_scope(), *EARLY_SHIFT, NOW + timedelta(days=30))
    assert later["response_on_time"] == {"on_time": 2, "due": 4, "rate": pytest.approx(2 / 4)}
    assert later["completion_on_time"] == {"on_time": 2, "due": 4, "rate": pytest.approx(2 / 4)}


def test_no_data_gives_null_rates(session: Session) -> None:
    k = lead_kpis(session, team_scope(), *EARLY_SHIFT, NOW)
    assert k["cases"] == 0 and k["cases_per_operator"][0]["count"] == 0
    for key in ("response_on_time", "completion_on_time", "satisfaction", "answer_rate"):
        assert k[key]["rate"] is None, key
    assert k["avg_wait_seconds"] is None and k["avg_handling_seconds"] is None
    assert k["routing"]["acceptance_rate"] is None and k["returns_by_department"] == []
    nobody = lead_kpis(session, Scope(members={}, names={}, departments={}), *EARLY_SHIFT, NOW)
    assert nobody["cases"] == 0 and nobody["answer_rate"]["offered"] == 0


def test_the_endpoint_answers_for_the_leads_team_only(server_factory: ServerFactory, database_url: str) -> None:
    """Cases pushed by a seat (the bulk push path keeps the projection too), read by the lead through the API;
    operators get 403, the telephony account may post calls but not read KPIs."""
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        for uid, name, role, team in (("1101", "甲一", "operator", "一班"), ("2101", "甲组长", "team_lead", "一班"),
                                      ("1201", "乙一", "operator", "二班"), ("9001", "话务系统", "telephony", "")):
            create_user(s, username=uid, name=name, role=role, password=PASSWORD, team=team)
    engine.dispose()
    api = Api(server_factory().url)
    seat = SeatClient.register(api, operator="1101", seat_code="S101")
    seat.sign_in("1101")
    mutations = []
    for seq, (accepted, routing, handling) in enumerate((("2026-03-02T08:30:00", "accepted", 90),
                                                         ("2026-03-02T09:45:00", "overridden", 150)), start=1):
        args = created_args("S101", seq, accepted, respond_by="2026-03-02T12:00:00",
                            finish_by="2026-03-03T12:00:00", routing=routing, handling=handling)
        mutations.append({"seq": seq, "mutation_id": str(uuid.uuid4()), "name": "case.created",
                          "operator_id": "1101", "entity_id": args["case_id"], "created_at": accepted + "+08:00",
                          "args": args})
    assert seat.push(mutations).json()["results"][0]["status"] == "applied"
    calls = {"calls": [{"call_id": "x1", "offered_at": "2026-03-02T08:29:00+08:00",
                        "answered_at": "2026-03-02T08:29:30+08:00", "ended_at": "2026-03-02T08:35:00+08:00",
                        "wait_seconds": 30, "abandoned": False, "seat_code": "S101", "operator_id": "1101"}]}
    telephony = api.token("9001")
    assert api.post("/calls", calls, headers=telephony).json() == {"stored": 1, "duplicates": 0}
    lead = api.token("2101")
    params = {"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T16:00:00+08:00"}
    resp = api.get("/lead/kpis", params=params, headers=lead)
    assert resp.status_code == 200, resp.text
    k = resp.json()
    assert k["team"] == "一班" and k["cases"] == 2
    assert k["from"] == "2026-03-02T08:00:00+08:00" and k["to"] == "2026-03-02T16:00:00+08:00"
    assert {h["hour"]: h["count"] for h in k["cases_per_hour"] if h["count"]} == {8: 1, 9: 1}
    assert k["cases_per_operator"][0] == {"operator_id": "1101", "name": "甲一", "count": 2}
    assert k["routing"] == {"suggested": 2, "accepted": 1, "overridden": 1, "acceptance_rate": 0.5,
                            "override_rate": 0.5}
    assert k["avg_handling_seconds"] == 120
    assert k["answer_rate"] == {"offered": 1, "answered": 1, "abandoned": 0, "rate": 1.0}
    assert k["returns_by_department"] == [{"department_id": "zjj", "name": CITY.departments["zjj"],
                                           "dispatched": 2, "returned": 0, "rate": 0.0}]
    assert k["satisfaction"]["rate"] is None  # no callbacks yet: the desk shows 无数据
    listed = api.get("/lead/calls", params=params, headers=lead).json()
    assert [c["call_id"] for c in listed["calls"]] == ["x1"] and listed["calls"][0]["operator_name"] == "甲一"
    # Naive times are the city's: the same range.
    naive = api.get("/lead/kpis", params={"from": "2026-03-02T08:00:00", "to": "2026-03-02T16:00:00"},
                    headers=lead).json()
    assert naive["cases"] == 2
    # The other team's lead sees none of it.
    for who in ("1101", "9001"):
        for path in ("/lead/kpis", "/lead/calls"):
            assert_error(api.get(path, params=params, headers=api.token(who)), 403, "forbidden")
    assert_error(api.post("/calls", calls, headers=api.token("1101")), 403, "forbidden")
    assert_error(api.post("/calls", calls, headers=lead), 403, "forbidden")
    assert_error(api.get("/lead/kpis", params={"from": params["to"], "to": params["from"]}, headers=lead),
                 422, "invalid_range")
    assert_error(api.get("/lead/kpis", params={"from": "2026-01-01T00:00:00+08:00",
                                               "to": "2026-06-01T00:00:00+08:00"}, headers=lead),
                 422, "range_too_large")


def test_the_migration_folds_the_cases_already_stored(tmp_path: Path) -> None:
    """Cases stored before 0012_kpi get their projection from their histories when the server is upgraded."""
    from alembic import command
    from sqlalchemy import insert

    from central_server.db.migrate import alembic_config
    from central_server.db.models import CaseEvent, CaseKpi, CaseKpiDepartment

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009_user_team")
    with session_factory(engine)() as s:
        create_user(s, username="1101", name="甲一", role="operator", password=PASSWORD, team="一班")
        seat_id = str(uuid.uuid4())
        s.add(Seat(id=seat_id, seat_code="S101", credential_hash="x" * 64, registered_by="1101",
                   registered_at=datetime.now(UTC), last_applied_seq=0))
        s.flush()
        args = created_args("S101", 1, "2026-03-02T08:30:00", respond_by="2026-03-02T10:30:00",
                            finish_by="2026-03-03T08:30:00", routing="overridden", handling=75)
        case_id, payload = args["case_id"], args["event"]["payload"]
        s.execute(insert(Case.__table__).values(
            id=case_id, number=payload["number"], seat_id=seat_id, created_by="1101", status="closed",
            fields=payload["fields"], lead_department="zjj", respond_by=payload["respond_by"],
            finish_by=payload["finish_by"], created_at=t("2026-03-02T08:30:00").isoformat(),
            received_at=datetime.now(UTC), last_event_seq=4))
        for seq, kind, at, extra in (
                (1, "created", "2026-03-02T08:30:00", payload),
                (2, "signed", "2026-03-02T09:00:00", {"department_id": "zjj"}),
                (3, "returned", "2026-03-02T09:30:00", {"department_id": "zjj", "reason": "x"}),
                (4, "callback", "2026-03-04T09:30:00", {"result": "satisfied"})):
            s.execute(insert(CaseEvent.__table__).values(
                id=str(uuid.uuid4()), case_id=case_id, seq=seq, kind=kind, payload=extra, operator_id="1101",
                recorded_at=t(at).astimezone(UTC).isoformat(), seat_id=seat_id, change_id=seq))
        s.commit()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0012_kpi")
    with session_factory(engine)() as s:
        row = s.get(CaseKpi, case_id)
        assert row is not None and row.operator_id == "1101" and row.accepted_hour == 8 and row.dispatched
        assert row.first_response_at is not None
        assert row.first_response_at.replace(tzinfo=UTC) == t("2026-03-02T09:00:00")
        assert (row.routing_suggested, row.routing_overridden, row.handling_seconds) == (True, True, 75)
        assert row.callback_result == "satisfied" and row.completed_at is None
        dept = s.get(CaseKpiDepartment, (case_id, "zjj"))
        assert dept is not None and dept.returned
        k = lead_kpis(s, team_scope(), *EARLY_SHIFT, NOW)
        assert k["cases"] == 1 and k["response_on_time"] == {"on_time": 1, "due": 1, "rate": 1.0}
    engine.dispose()


def test_a_correction_and_a_redispatch_move_the_projection(session: Session) -> None:
    """A corrected case (made at the seat, appended on the server) and a 改派 change what the KPIs count."""
    b = Book(session)
    c1 = b.case("1101", "2026-03-02T09:00:00", respond_by="2026-03-02T11:00:00", finish_by="2026-03-03T09:00:00",
                routing="accepted")
    b.event(c1, "returned_for_correction", "2026-03-02T09:10:00", reason="分类有误")
    corrected = case_fields(disposition="dispatch", lead="rsj", cooperating_departments=["ybj"])
    b.event(c1, "corrected", "2026-03-02T09:20:00", fields=corrected, routing={
        "model_version": "m1", "suggestions": [{"category": "城乡建设", "lead_department": "zjj", "district": "",
                                                "confidence": 0.9}],
        "chosen": {"category": corrected["category"], "lead_department": "rsj", "district": ""},
        "overridden": True})
    c2 = b.case("1102", "2026-03-02T10:00:00", respond_by="2026-03-02T12:00:00", finish_by="2026-03-03T10:00:00")
    b.event(c2, "returned_for_correction", "2026-03-02T10:05:00", reason="应直接答复")
    b.event(c2, "corrected", "2026-03-02T10:15:00", fields=case_fields(disposition="direct"))
    c3 = b.case("1102", "2026-03-02T11:00:00", respond_by="2026-03-02T13:00:00", finish_by="2026-03-03T11:00:00")
    b.event(c3, "redispatched", "2026-03-02T11:30:00", from_department="zjj", to_department="cgj", reason="改派")
    b.event(c3, "returned", "2026-03-02T12:00:00", department_id="cgj", reason="非本单位")
    k = lead_kpis(session, team_scope(), *EARLY_SHIFT, NOW)
    assert k["cases"] == 3
    # c2 is now answered on the call: it has no deadlines to meet; c1 got no response and its respond-by passed
    # (late); c3's 退单 at 12:00 came before its 13:00 respond-by (on time)
    assert k["response_on_time"] == {"on_time": 1, "due": 2, "rate": pytest.approx(1 / 2)}
    assert k["routing"] == {"suggested": 1, "accepted": 0, "overridden": 1, "acceptance_rate": 0.0,
                            "override_rate": 1.0}
    returns = {d["department_id"]: (d["dispatched"], d["returned"]) for d in k["returns_by_department"]}
    # c1 first to zjj, then rsj with ybj; c2 to zjj before its correction; c3 to zjj, then cgj, which returned it
    assert returns == {"zjj": (3, 0), "rsj": (1, 0), "ybj": (1, 0), "cgj": (1, 1)}

"""The team lead's workbench API: roles, the team boundary, the queue's flags and counts, the case history,
revealing a masked value (audited) and the lead's actions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import AuditEvent, Case, User
from central_server.main import create_app
from central_server.services import dispatch
from central_server.services.case_history import append_event
from central_server.services.lead_config import ShiftWindow, current_shift, load_lead_settings
from central_server.services.lead_queue import team_queue
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD, Api, assert_error
from tests.server.conftest import ServerFactory
from tests.server.lead_builder import CaseBuilder, routing_record

TEAM = "一班"
FACTS = load_city_facts(resources_dir(Settings()))
TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


@pytest.fixture
def db(database_url: str) -> Iterator[Any]:
    """A session on the test database, with 1001, 1002 and lead 2001 in 一班 and 1011 in 二班."""
    engine = make_engine(database_url)
    session = session_factory(engine)()
    session.execute(update(User).where(User.id.in_(["1001", "1002", "2001"])).values(team=TEAM))
    session.commit()
    create_user(session, username="1011", name="张丽华", role="operator", password=PASSWORD, team="二班")
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


def _act(session: Any, number: str, action: str, **kw: Any) -> None:
    dispatch.act(session, case_number=number, action=action, department_id=None, reason=kw.get("reason"),
                 new_finish_by=kw.get("new_finish_by"), acted_by="admin", departments=FACTS.departments,
                 timezone=FACTS.timezone)


@pytest.fixture
def shift(db: Any) -> dict[str, Any]:
    """A hand-built shift around now: each case's expected flags are stated beside it."""
    now = datetime.now(UTC).replace(microsecond=0)
    b = CaseBuilder(db, FACTS.city)
    n: dict[str, str] = {}
    start, end = now - 6 * H, now + H
    # A: nobody responded, respond-by passed → overdue "respond"; 3 earlier cases from its phone (G, F, H).
    n["A"] = b.add(operator="1001", accepted=now - 2 * H, respond_in=H, finish_in=12 * H, phone="13900000001")
    # B: signed; finish-by in 30 minutes → due within the hour.
    n["B"] = b.add(operator="1002", accepted=now - 2 * H, respond_in=H, finish_in=2.5 * H)
    # C: signed, finish-by passed, then extended to 5 hours from now → neither overdue nor due soon.
    n["C"] = b.add(operator="1001", accepted=now - 3 * H, respond_in=H, finish_in=2 * H)
    # D: closed after its finish-by passed → never overdue.
    n["D"] = b.add(operator="1001", accepted=now - 3 * H, respond_in=H, finish_in=2 * H)
    # E: respond-by in 30 minutes, not responded → due within the hour; urgent; an elderly caller (sorted first).
    n["E"] = b.add(operator="1002", accepted=now - H, respond_in=1.5 * H, finish_in=5 * H, urgency="urgent",
                   urgency_reason="水管爆裂", special_needs=["elderly"])
    # F: answered on the call (closed, no deadlines), same phone as A; G came before it → repeat 1.
    n["F"] = b.add(operator="1001", accepted=now - 5 * H, disposition="direct", phone="13900000001")
    # I: low confidence (0.3 < 0.5), overridden, 退单 by the department with a reason.
    n["I"] = b.add(operator="1001", accepted=now - 4 * H, routing=routing_record(0.3, overridden=True))
    # K: accepted exactly at the range's start → in; L: exactly at its end → out; J: before → out.
    n["K"] = b.add(operator="1002", accepted=start, respond_in=10 * H, finish_in=20 * H,
                   routing=routing_record(0.9))
    n["L"] = b.add(operator="1002", accepted=end, respond_in=H, finish_in=2 * H)
    n["J"] = b.add(operator="1002", accepted=start - timedelta(seconds=1), respond_in=H, finish_in=2 * H)
    # G: 10 days ago, same phone as A (counts for A and F); O: 40 days ago, same phone (too old to count).
    n["G"] = b.add(operator="1002", accepted=now - timedelta(days=10), phone="13900000001")
    n["O"] = b.add(operator="1002", accepted=now - timedelta(days=40), phone="13900000001")
    # H: another team's case from A's phone: counts city-wide, but is not in 一班's queue.
    n["H"] = b.add(operator="1011", accepted=now - 4 * H, seat_code="S011", phone="13900000001")
    b.commit()
    for key in ("B", "C", "D"):
        _act(db, n[key], "sign")
    _act(db, n["C"], "extend", reason="需现场勘查", new_finish_by=now + 5 * H)
    _act(db, n["D"], "complete")
    _act(db, n["I"], "return", reason="不属于本单位职责")
    return {"now": now, "from": start, "to": end, "n": n}


def _queue(api: Api, auth: dict[str, str], start: datetime, end: datetime) -> dict[str, Any]:
    resp = api.get("/lead/queue", params={"from": start.isoformat(), "to": end.isoformat()}, headers=auth)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_queue_flags_and_counts(server_factory: ServerFactory, shift: dict[str, Any]) -> None:
    api = Api(server_factory().url)
    body = _queue(api, api.token("2001"), shift["from"], shift["to"])
    n = shift["n"]
    rows = {r["number"]: r for r in body["rows"]}
    assert set(rows) == {n[k] for k in "ABCDEFIK"}
    assert body["rows"][0]["number"] == n["E"]  # special-needs callers first
    times = [datetime.fromisoformat(r["accepted_at"]) for r in body["rows"][1:]]
    assert times == sorted(times, reverse=True)  # then newest first
    assert rows[n["A"]]["overdue"] == "respond" and rows[n["A"]]["due_within_hour"] is False
    assert rows[n["B"]]["overdue"] is None and rows[n["B"]]["due_within_hour"] is True
    assert rows[n["C"]]["overdue"] is None and rows[n["C"]]["due_within_hour"] is False
    assert datetime.fromisoformat(rows[n["C"]]["finish_by"]) == shift["now"] + 5 * H
    assert rows[n["D"]]["overdue"] is None and rows[n["D"]]["status"] == "closed"
    assert rows[n["E"]]["due_within_hour"] is True and rows[n["E"]]["urgency"] == "urgent"
    assert rows[n["E"]]["special_needs"] == ["elderly"]
    assert (rows[n["A"]]["repeat_count"], rows[n["F"]]["repeat_count"], rows[n["B"]]["repeat_count"]) == (3, 1, 0)
    assert rows[n["I"]]["routing_confidence"] == 0.3 and rows[n["I"]]["routing_overridden"] is True
    assert rows[n["I"]]["returned_reason"] == "不属于本单位职责" and rows[n["I"]]["status_label"] == "已退单"
    assert rows[n["K"]]["routing_confidence"] == 0.9 and rows[n["K"]]["routing_overridden"] is False
    assert rows[n["A"]]["operator_name"] == "李晓梅" and rows[n["A"]]["seat_code"] == "S001"
    assert rows[n["A"]]["lead_department_name"] == FACTS.departments["zjj"]
    assert rows[n["A"]]["phone_masked"] == "139****0001" and rows[n["A"]]["caller_masked"] == "张*"
    assert body["counts"] == {
        "all": 8, "overdue": 1, "due_within_hour": 2, "low_confidence": 1, "overridden": 1, "urgent": 1,
        "special_needs": 1, "repeat_caller": 2, "returned": 1, "correcting": 0, "supervised": 0,
        "unsynced_seats": 0,
    }
    assert body["backlog"] == []  # every seat's changes have arrived (none reported any pending)
    for row in body["rows"]:  # each row names the filters it counts in, so the desk filters as the server counts
        assert ("overdue" in row["filters"]) == bool(row["overdue"])
    assert "13900000001" not in str(body) and "张三" not in str(body)


def test_range_across_midnight_is_half_open_on_acceptance(server_factory: ServerFactory, db: Any) -> None:
    day = datetime.now(TZ).date() - timedelta(days=3)
    at = lambda d, hh, mm: datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ)  # noqa: E731
    nxt = day + timedelta(days=1)
    b = CaseBuilder(db, FACTS.city)
    inside = [b.add(operator="1001", accepted=at(day, 22, 0)), b.add(operator="1001", accepted=at(day, 23, 59)),
              b.add(operator="1002", accepted=at(nxt, 0, 0)), b.add(operator="1002", accepted=at(nxt, 1, 59))]
    # Accepted 23:50 but received after midnight and after the range: acceptance decides.
    late = b.add(operator="1001", accepted=at(day, 23, 50), received=at(nxt, 9, 0))
    outside = [b.add(operator="1001", accepted=at(day, 21, 59)), b.add(operator="1001", accepted=at(nxt, 2, 0))]
    b.commit()
    api = Api(server_factory().url)
    body = _queue(api, api.token("2001"), at(day, 22, 0), at(nxt, 2, 0))
    assert {r["number"] for r in body["rows"]} == {*inside, late}
    assert not {r["number"] for r in body["rows"]} & set(outside)
    # Long past their deadlines and never responded to: all overdue (finish-by passed too).
    assert body["counts"]["overdue"] == 5 and {r["overdue"] for r in body["rows"]} == {"finish"}


def test_current_shift_windows_and_midnight() -> None:
    shifts = load_lead_settings(resources_dir(Settings())).shifts
    names = [s.name for s in shifts]
    assert names == ["早班", "中班", "夜班"]

    def shift_at(hh: int, mm: int, *, windows: tuple[ShiftWindow, ...] = shifts) -> tuple[str, str, str]:
        s = current_shift(windows, datetime(2026, 3, 1, hh, mm, tzinfo=TZ), TZ)
        return s.name, s.start.isoformat(), s.end.isoformat()

    assert shift_at(8, 0) == ("早班", "2026-03-01T08:00:00+08:00", "2026-03-01T16:00:00+08:00")
    assert shift_at(23, 59) == ("中班", "2026-03-01T16:00:00+08:00", "2026-03-02T00:00:00+08:00")
    assert shift_at(0, 0) == ("夜班", "2026-03-01T00:00:00+08:00", "2026-03-01T08:00:00+08:00")
    crossing = (ShiftWindow("夜班", datetime(2026, 1, 1, 22).time(), 30 * 60),)  # 22:00-06:00
    # 02:00 on 1 March belongs to the night shift that started on 28 February.
    assert shift_at(2, 0, windows=crossing) == ("夜班", "2026-02-28T22:00:00+08:00", "2026-03-01T06:00:00+08:00")


def test_shift_answer(server_factory: ServerFactory, db: Any) -> None:
    api = Api(server_factory().url)
    resp = api.get("/lead/shift", headers=api.token("2001"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["team"] == TEAM and body["shift"]["name"] in {"早班", "中班", "夜班"}
    start, end = datetime.fromisoformat(body["shift"]["start"]), datetime.fromisoformat(body["shift"]["end"])
    assert start <= datetime.now(UTC) < end
    assert [m["id"] for m in body["members"]] == ["1001", "1002", "2001"]


def _lead_routes() -> list[tuple[str, str]]:
    """Every operation the app publishes under /api/v1/lead (routes other modules add are found too)."""
    paths = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    return [(method.upper(), re.sub(r"\{[^}]+\}", "S001-20260301-0001", path))
            for path, operations in paths.items() if path.startswith("/api/v1/lead")
            for method in operations if method in {"get", "post", "put", "patch", "delete"}]


def test_only_leads_reach_the_workbench(server_factory: ServerFactory, db: Any) -> None:
    routes = _lead_routes()
    assert {p for _, p in routes} >= {"/api/v1/lead/queue", "/api/v1/lead/shift"}
    api = Api(server_factory().url)
    params = {"from": "2026-03-01T00:00:00+08:00", "to": "2026-03-02T00:00:00+08:00"}
    for user in ("1001", "3001", "admin"):
        auth = api.token(user)
        for method, path in routes:
            resp = api.http.request(method, api.url + path, headers=auth, params=params, json={}, timeout=30)
            assert_error(resp, 403, "forbidden")
    for method, path in routes:
        assert_error(api.http.request(method, api.url + path, params=params, json={}, timeout=30), 401)


def test_a_lead_sees_only_their_team(server_factory: ServerFactory, db: Any) -> None:
    now = datetime.now(UTC)
    b = CaseBuilder(db, FACTS.city)
    mine = b.add(operator="1001", accepted=now - H)
    theirs = b.add(operator="1011", accepted=now - H, seat_code="S011")
    b.commit()
    api = Api(server_factory().url)
    auth = api.token("2001")
    body = _queue(api, auth, now - 2 * H, now)
    assert [r["number"] for r in body["rows"]] == [mine]
    assert api.get(f"/lead/cases/{mine}", headers=auth).status_code == 200
    assert_error(api.get(f"/lead/cases/{theirs}", headers=auth), 404, "case_not_found")
    assert_error(api.get("/lead/cases/S001-20990101-0001", headers=auth), 404, "case_not_found")
    for suffix, body_ in (("reveal", {"field": "phone", "reason": "回访核实"}),
                          ("actions", {"action": "note", "text": "看一下"})):
        assert_error(api.post(f"/lead/cases/{theirs}/{suffix}", body_, headers=auth), 404, "case_not_found")


def test_reveal_is_audited_without_the_value(server_factory: ServerFactory, db: Any, database_url: str) -> None:
    number = _one_case(db, phone="13912345678", caller_name="欧阳明", address="东湖街道幸福路88号3栋")
    api = Api(server_factory().url)
    auth = api.token("2001")
    detail = api.get(f"/lead/cases/{number}", headers=auth).json()
    assert detail["case"]["fields"]["phone"] == "139****5678"
    assert detail["case"]["fields"]["caller_name"] == "欧*明"
    assert "幸福路88号" not in str(detail) and "13912345678" not in str(detail)
    for field, value in (("phone", "13912345678"), ("caller_name", "欧阳明"), ("address", "东湖街道幸福路88号3栋")):
        resp = api.post(f"/lead/cases/{number}/reveal", {"field": field, "reason": "回访核实身份"}, headers=auth)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"value": value}
    assert_error(api.post(f"/lead/cases/{number}/reveal", {"field": "phone", "reason": " 查 "}, headers=auth), 422)
    assert_error(api.post(f"/lead/cases/{number}/reveal", {"field": "phone"}, headers=auth), 422)
    assert_error(api.post(f"/lead/cases/{number}/reveal", {"field": "content", "reason": "回访核实"},
                          headers=auth), 422)
    db.expire_all()
    rows = db.scalars(select(AuditEvent).where(AuditEvent.kind == "reveal").order_by(AuditEvent.id)).all()
    assert [(r.user_id, r.detail) for r in rows] == [
        ("2001", f"case {number} field {f} reason: 回访核实身份") for f in ("phone", "caller_name", "address")]
    assert not any(v in r.detail for r in rows for v in ("13912345678", "欧阳明", "幸福路"))


def _one_case(db: Any, **fields: Any) -> str:
    b = CaseBuilder(db, FACTS.city)
    number = b.add(operator="1001", accepted=datetime.now(UTC) - H, **fields)
    b.commit()
    return number


def test_actions_append_events_with_who_when_why(server_factory: ServerFactory, db: Any) -> None:
    number = _one_case(db)
    api = Api(server_factory().url)
    auth = api.token("2001")

    def act(body: dict[str, Any]) -> dict[str, Any]:
        resp = api.post(f"/lead/cases/{number}/actions", body, headers=auth)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    before = datetime.now(UTC)
    assert act({"action": "supervise", "reason": "重复投诉，请跟进"})["kind"] == "supervised"
    assert act({"action": "redispatch", "to_department": "cgj", "reason": "属城管职责"}) == {
        "number": number, "status": "dispatched", "event_seq": 3, "kind": "redispatched"}
    assert act({"action": "note", "text": "已电话提醒承办单位"})["status"] == "dispatched"
    assert act({"action": "return_for_correction", "reason": "地址不完整"})["status"] == "correcting"
    detail = api.get(f"/lead/cases/{number}", headers=auth).json()
    events = detail["events"]
    assert [(e["kind"], e["label"]) for e in events] == [
        ("created", "受理"), ("supervised", "督办"), ("redispatched", "改派"), ("note", "备注"),
        ("returned_for_correction", "退回修改")]
    assert all(e["actor_id"] == "2001" and e["actor_name"] == "黄秀英" for e in events[1:])
    assert events[0]["actor_name"] == "李晓梅" and events[0]["payload"]["fields"]["phone"].startswith("137****")
    assert all(datetime.fromisoformat(e["recorded_at"]) >= before - timedelta(seconds=1) for e in events[1:])
    assert events[2]["payload"] == {"from_department": "zjj", "to_department": "cgj", "reason": "属城管职责"}
    assert events[4]["payload"] == {"reason": "地址不完整"} and events[3]["payload"] == {"text": "已电话提醒承办单位"}
    case = detail["case"]
    assert case["status"] == "correcting" and case["correcting"] is True and case["supervised"] is True
    assert case["lead_department"] == "cgj" and case["fields"]["lead_department"] == "cgj"
    # The seat pulls them: they are in the case's feed after its created event.
    body = _queue(api, auth, datetime.now(UTC) - 2 * H, datetime.now(UTC))
    assert body["counts"]["correcting"] == 1 and body["counts"]["supervised"] == 1


def test_bad_actions_are_refused_clearly(server_factory: ServerFactory, db: Any) -> None:
    number = _one_case(db)
    closed = _one_case(db)
    _act(db, closed, "sign")
    _act(db, closed, "complete")
    api = Api(server_factory().url)
    auth = api.token("2001")

    def refused(body: dict[str, Any], status: int, code: str | None = None, case: str = number) -> None:
        assert_error(api.post(f"/lead/cases/{case}/actions", body, headers=auth), status, code)

    refused({"action": "return_for_correction"}, 422)
    refused({"action": "return_for_correction", "reason": "  "}, 422)
    refused({"action": "supervise", "reason": "x"}, 422)
    refused({"action": "note", "text": ""}, 422)
    refused({"action": "redispatch", "to_department": "nowhere", "reason": "属城管职责"}, 422, "unknown_department")
    refused({"action": "redispatch", "to_department": "zjj", "reason": "属城管职责"}, 422, "same_department")
    refused({"action": "return_for_correction", "reason": "地址不完整"}, 409, "invalid_transition", closed)
    refused({"action": "redispatch", "to_department": "cgj", "reason": "属城管职责"}, 409, "invalid_transition",
            closed)
    refused({"action": "supervise", "reason": "跟进办理"}, 409, "invalid_transition", closed)
    refused({"action": "escalate", "reason": "跟进办理"}, 422)
    api.post(f"/lead/cases/{number}/actions", {"action": "return_for_correction", "reason": "地址不完整"},
             headers=auth)
    refused({"action": "return_for_correction", "reason": "再退一次"}, 409, "invalid_transition")
    refused({"action": "redispatch", "to_department": "cgj", "reason": "改派"}, 409, "invalid_transition")
    # A note is fine on any case, closed included.
    assert api.post(f"/lead/cases/{closed}/actions", {"action": "note", "text": "已回访"},
                    headers=auth).status_code == 200
    bad_ranges = [{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-01T00:00:00+08:00"},
                  {"from": "2026-03-01T00:00:00", "to": "2026-03-02T00:00:00"},
                  {"from": "2025-01-01T00:00:00+08:00", "to": "2026-03-02T00:00:00+08:00"},
                  {"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-02T00:00:00+00:00"}]
    for params in bad_ranges:
        assert_error(api.get("/lead/queue", params=params, headers=auth), 422)


def test_a_lead_without_a_team_sees_nothing(server_factory: ServerFactory, db: Any) -> None:
    _one_case(db)
    db.execute(update(User).where(User.id == "2001").values(team=""))
    db.commit()
    api = Api(server_factory().url)
    now = datetime.now(UTC)
    body = _queue(api, api.token("2001"), now - 2 * H, now)
    assert body["rows"] == [] and body["counts"]["all"] == 0


def test_the_backlog_joins_the_answer_with_its_count(db: Any) -> None:
    """The seats' backlog (services/backlog.team_backlog, wired at merge) adds `backlog` and `unsynced_seats`."""
    now = datetime.now(UTC)
    _one_case(db)
    queue = team_queue(db, team=TEAM, start=now - 2 * H, end=now, city=FACTS.city,
                       settings=load_lead_settings(resources_dir(Settings())).queue)
    assert "backlog" not in queue.answer() and "unsynced_seats" not in queue.answer()["counts"]
    backlog = [{"seat_code": "S001", "operator_id": "1001", "operator_name": "李晓梅", "pending": 3,
                "oldest_pending_at": now.isoformat(), "reported_at": now.isoformat()},
               {"seat_code": "S001", "operator_id": "1002", "operator_name": "王建国", "pending": 1,
                "oldest_pending_at": now.isoformat(), "reported_at": now.isoformat()},
               {"seat_code": "S002", "operator_id": "1002", "operator_name": "王建国", "pending": 0,
                "oldest_pending_at": None, "reported_at": now.isoformat()}]
    answer = queue.answer(backlog)
    assert answer["backlog"] == backlog and answer["counts"]["unsynced_seats"] == 1
    assert answer["counts"]["all"] == 1


def test_a_correction_brings_its_own_routing_record(db: Any) -> None:
    """After a send-back the operator's corrected case carries the routing record of the new choice."""
    now = datetime.now(UTC)
    b = CaseBuilder(db, FACTS.city)
    number = b.add(operator="1001", accepted=now - H, routing=routing_record(0.3, overridden=True),
                   special_needs=["disabled", "dialect"])
    b.commit()
    case = db.scalars(select(Case).where(Case.number == number)).one()
    append_event(db, case, kind="corrected", payload={"fields": case.fields, "routing": routing_record(0.9)},
                 actor_id="1001")
    db.commit()
    settings = load_lead_settings(resources_dir(Settings())).queue
    row = team_queue(db, team=TEAM, start=now - 2 * H, end=now, city=FACTS.city, settings=settings).rows[0]
    assert (row["routing_confidence"], row["routing_overridden"]) == (0.9, False)
    assert row["special_needs"] == ["disabled", "dialect"] and "low_confidence" not in row["filters"]

"""The demo shift (central_server/services/demo_shift.py): valid cases a seat could have sent, a dense current
shift for the team of 2001 with every queue filter, department events in order, return visits, deterministic,
no borrowed texts, seeded once and quickly."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from central_server.cli import main
from central_server.core.city import CityFacts, load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.db.models import Case, CaseEvent, Seat, SeatSignIn, User
from central_server.services import dispatch
from central_server.services.case_history import append_event
from central_server.services.cases import plan_case_from_seat
from central_server.services.demo import seed_demo, seed_if_empty
from central_server.services.demo_shift import SEED, seed_demo_shift, seed_shift_if_empty
from central_server.services.demo_shift_bulk import generate_team_cases
from central_server.services.demo_shift_plan import shift_start
from central_server.services.demo_shift_templates import load_templates, templates_path
from central_server.services.lead_config import load_lead_settings
from contract.case_fields import ValidCase
from contract.enums import CallbackResult, CaseStatus
from contract.events import CaseEvent as ContractEvent
from contract.events import derive_state
from contract.phone import normalize_phone
from operator_app.routing.directory import load_directory
from operator_app.routing.record import rechosen
from operator_app.services.intake import created_payload
from tests.conftest import REPO, SHARED_DATA

# 15:20 city time: the 早班 (08:00-16:00) has run for 7 h 20 min.
NOW = datetime(2026, 3, 10, 7, 20, tzinfo=UTC)
LEAD_TEAM = "一班"
LOW_CONFIDENCE = 0.6


def _resources() -> Path:
    return resources_dir(Settings())


def _facts() -> CityFacts:
    return load_city_facts(_resources())


def _fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with session_factory(engine)() as session:
        seed_demo(session, _facts())
    return engine


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, float]]:
    engine = _fresh_engine(tmp_path_factory.mktemp("demo-shift") / "central.sqlite")
    with session_factory(engine)() as session:
        report = seed_demo_shift(session, _facts(), _resources(), now=NOW)
    yield engine, report.seconds
    engine.dispose()


@pytest.fixture
def session(seeded: tuple[Engine, float]) -> Iterator[Session]:
    with session_factory(seeded[0])() as s:
        yield s


def _events(session: Session) -> dict[str, list[CaseEvent]]:
    out: dict[str, list[CaseEvent]] = {}
    for e in session.scalars(select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq)):
        out.setdefault(e.case_id, []).append(e)
    return out


def _team(session: Session, team: str) -> set[str]:
    return set(session.scalars(select(User.id).where(User.team == team)))


def _args(case: Case, created: CaseEvent, seat: Seat) -> dict[str, Any]:
    return {"case_id": case.id, "seat_code": seat.seat_code,
            "event": {"id": created.id, "seq": 1, "kind": "created", "payload": created.payload,
                      "recorded_at": created.recorded_at}}


def test_every_case_is_valid_by_the_servers_rules_as_a_seat_sends_it(session: Session) -> None:
    facts = _facts()
    events = _events(session)
    seats = {s.id: s for s in session.scalars(select(Seat))}
    signed_in = {(r.seat_id, r.operator_id): r for r in session.scalars(select(SeatSignIn))}
    cases = list(session.scalars(select(Case)))
    assert 300 <= len(cases) <= 900  # "a few hundred"
    for case in cases:
        seat, created = seats[case.seat_id], events[case.id][0]
        assert seat.seat_code.startswith("S0") and seat.seat_code != "S001"  # a demo seat, never a new desk's
        sign_in = signed_in[(seat.id, case.created_by)]  # the author signed in at that seat before the call
        accepted = datetime.fromisoformat(created.recorded_at)
        assert sign_in.first_at.replace(tzinfo=UTC) <= accepted <= sign_in.last_at.replace(tzinfo=UTC) \
            + timedelta(minutes=1)
        plan_case_from_seat(seat=seat, operator_id=case.created_by, entity_id=case.id,
                            args=_args(case, created, seat), received_at=case.received_at, city=facts.city)
        # What the seat's intake makes of the same fields at the same moment (operator_app/services/intake.py).
        payload = dict(created.payload)
        extras = {k: payload[k] for k in ("routing",) if k in payload}
        valid = ValidCase(**{**payload["fields"], "special_needs": tuple(payload["fields"]["special_needs"]),
                             "cooperating_departments": tuple(payload["fields"]["cooperating_departments"])})
        seat_made = created_payload(facts.city, valid, number=payload["number"], accepted_at=accepted,
                                    extras=extras)
        # (handling_seconds aside: the seat counts it from the form's first edit)
        assert {k: v for k, v in payload.items() if k != "handling_seconds"} == \
            {k: v for k, v in seat_made.items() if k != "handling_seconds"}
        assert 45 <= payload["handling_seconds"] <= 1800
        if "routing" in payload:  # the choice and "overridden" as the seat's routing record states them
            record = payload["routing"]
            assert rechosen({k: record[k] for k in ("model_version", "suggestions")}, category=valid.category,
                            lead_department=valid.lead_department, district=valid.district) == record


def test_lead_departments_follow_the_routing_directory_the_seats_use(session: Session) -> None:
    directory = load_directory(_resources() / "city" / "routing_directory.toml")
    facts = _facts()
    for case in session.scalars(select(Case).where(Case.lead_department != "")):
        fields = case.fields
        route = directory.lookup(fields["category"])
        assert route is not None
        government = facts.city.districts[fields["district"]].government_department
        expected = government if route.lead == "@district" else route.lead
        overridden_to_district = case.lead_department == government
        assert case.lead_department == expected or overridden_to_district


def _is_repeat(case: Case, earlier_by_phone: dict[str, list[datetime]], accepted: datetime) -> bool:
    phone = case.fields["phone"]
    return bool(phone) and any(accepted - timedelta(days=30) <= t < accepted for t in earlier_by_phone[phone])


def test_the_team_of_2001_has_a_dense_current_shift_with_every_filter(session: Session) -> None:
    team = _team(session, LEAD_TEAM)
    start = shift_start(NOW, _facts().timezone, load_lead_settings(_resources()).shifts)
    assert start == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)  # 08:00 city time
    events = _events(session)
    all_cases = list(session.scalars(select(Case)))
    accepted = {c.id: datetime.fromisoformat(events[c.id][0].recorded_at) for c in all_cases}
    by_phone: dict[str, list[datetime]] = {}
    for c in all_cases:
        if c.fields["phone"]:
            by_phone.setdefault(c.fields["phone"], []).append(accepted[c.id])
    shift = [c for c in all_cases if c.created_by in team and start <= accepted[c.id] < NOW]
    assert len(shift) >= 150
    assert {c.created_by for c in shift} == team  # every operator on duty, and the lead, took calls
    counts = {"overdue": 0, "due_within_hour": 0, "urgent": 0, "special_needs": 0, "repeat_caller": 0,
              "returned_with_reason": 0, "low_confidence": 0, "overridden": 0}
    open_statuses = {CaseStatus.DISPATCHED.value, CaseStatus.SIGNED.value, CaseStatus.EXTENDED.value}
    for c in shift:
        respond = datetime.fromisoformat(c.respond_by) if c.respond_by else None
        finish = datetime.fromisoformat(c.finish_by) if c.finish_by else None
        due = respond if c.status == CaseStatus.DISPATCHED.value else finish
        if c.status in open_statuses and due is not None:
            counts["overdue"] += due < NOW
            counts["due_within_hour"] += NOW <= due < NOW + timedelta(hours=1)
        counts["urgent"] += c.fields["urgency"] == "urgent"
        counts["special_needs"] += bool(c.fields["special_needs"])
        counts["repeat_caller"] += _is_repeat(c, by_phone, accepted[c.id])
        returns = [e for e in events[c.id] if e.kind == "returned"]
        counts["returned_with_reason"] += bool(returns) and c.status == "returned" and bool(
            returns[-1].payload.get("reason"))
        routing = events[c.id][0].payload.get("routing")
        if routing:
            counts["low_confidence"] += routing["suggestions"][0]["confidence"] < LOW_CONFIDENCE
            counts["overridden"] += routing["overridden"]
    assert all(n > 0 for n in counts.values()), counts
    assert counts["overridden"] < len(shift) / 2 and counts["overdue"] < len(shift) / 4  # a workbench, not a fire


def test_other_teams_and_thirty_days_of_history(session: Session) -> None:
    events = _events(session)
    first = min(datetime.fromisoformat(e[0].recorded_at) for e in events.values())
    assert NOW - timedelta(days=31) <= first < NOW - timedelta(days=25)
    other = _team(session, "二班")
    assert 50 <= len(list(session.scalars(select(Case).where(Case.created_by.in_(other))))) <= 200


def test_department_events_are_in_order_after_acceptance_and_make_the_case(session: Session) -> None:
    kinds_seen: set[str] = set()
    events = _events(session)
    for case in session.scalars(select(Case)):
        evs = events[case.id]
        assert [e.seq for e in evs] == list(range(1, len(evs) + 1)) == list(range(1, case.last_event_seq + 1))
        times = [datetime.fromisoformat(e.recorded_at) for e in evs]
        assert times == sorted(times) and times[-1] <= NOW
        assert all(t > times[0] for t in times[1:])
        kinds = [e.kind for e in evs]
        kinds_seen.update(kinds)
        if "completed" in kinds:
            assert kinds.index("signed") < kinds.index("completed")
        if "callback" in kinds:
            assert case.status == "closed"
        # The case row is what folding its events gives, as on every seat that pulls them.
        state = derive_state([ContractEvent(e.id, e.case_id, e.seq, e.kind, e.payload, e.operator_id,
                                            e.recorded_at) for e in evs])
        assert (state.status, state.finish_by, state.fields) == (case.status, case.finish_by, case.fields)
        assert case.lead_department == case.fields["lead_department"]
        for e in evs[1:]:
            if e.kind in ("signed", "returned", "extended", "completed"):  # by the unit in charge then
                in_charge = next((r.payload["to_department"] for r in reversed(evs[:e.seq - 1])
                                  if r.kind == "redispatched"), evs[0].payload["fields"]["lead_department"])
                assert e.operator_id == in_charge == e.payload["department_id"]
                assert e.payload["status"] in {s.value for s in CaseStatus}
            if e.kind == "extended":
                assert e.payload["new_finish_by"] > e.payload["previous_finish_by"] and e.payload["reason"]
    assert {"created", "signed", "returned", "extended", "completed", "callback", "supervised",
            "redispatched"} <= kinds_seen
    late = [c for c in session.scalars(select(Case)) if c.status == "closed" and c.finish_by and any(
        e.kind == "completed" and e.recorded_at > c.finish_by for e in events[c.id])]
    assert late  # some cases were finished late


def test_department_payloads_are_those_dispatch_act_makes(tmp_path: Path) -> None:
    engine = _fresh_engine(tmp_path / "c.sqlite")
    try:
        with session_factory(engine)() as session:
            seed_demo_shift(session, _facts(), _resources(), now=datetime.now(UTC))
            events = _events(session)
            demo_signed = next(e for evs in events.values() for e in evs if e.kind == "signed")
            waiting = session.scalars(select(Case).where(Case.status == "dispatched")).first()
            assert waiting is not None
            facts = _facts()
            dispatch.act(session, case_number=waiting.number, action="sign", department_id=None, reason=None,
                         new_finish_by=None, acted_by="demo", departments=facts.departments,
                         timezone=facts.timezone)
            real = session.scalars(select(CaseEvent).where(CaseEvent.case_id == waiting.id)
                                   .order_by(CaseEvent.seq.desc())).first()
            assert real is not None and real.kind == "signed"
            assert set(real.payload) == set(demo_signed.payload)
    finally:
        engine.dispose()


def test_callback_results_on_a_share_of_completed_cases(session: Session) -> None:
    events = _events(session)
    closed_by_department = [c for c in session.scalars(select(Case)) if any(
        e.kind == "completed" for e in events[c.id])]
    called_back = [c for c in closed_by_department if any(e.kind == "callback" for e in events[c.id])]
    assert 0.4 <= len(called_back) / len(closed_by_department) <= 0.85
    results = [e.payload["result"] for evs in events.values() for e in evs if e.kind == "callback"]
    assert set(results) == {r.value for r in CallbackResult}
    assert results.count("satisfied") > results.count("dissatisfied")


def test_hot_spots_and_repeat_callers(session: Session) -> None:
    book = load_templates(_resources(), _facts().city)
    cases = list(session.scalars(select(Case)))
    for h in book.hotspots:
        same = [c for c in cases if c.fields["category"] == h.category and c.fields["street"] == h.street
                and c.fields["address"] == f"{h.road}{h.compound}"]
        assert len(same) >= h.cases
    phones = [c.fields["phone"] for c in cases if c.fields["phone"]]
    assert sum(1 for p in set(phones) if phones.count(p) >= 2) >= 5
    assert all(normalize_phone(p) == p for p in phones)


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with session_factory(engine)() as session:
        events = _events(session)
        return [(c.number, c.created_by, c.status, c.fields, c.respond_by, c.finish_by,
                 [(e.seq, e.kind, e.payload, e.operator_id, e.recorded_at) for e in events[c.id]])
                for c in session.scalars(select(Case).order_by(Case.number))]


def test_deterministic_for_a_seed_and_now(tmp_path: Path, seeded: tuple[Engine, float]) -> None:
    again = _fresh_engine(tmp_path / "again.sqlite")
    other = _fresh_engine(tmp_path / "other.sqlite")
    try:
        with session_factory(again)() as session:
            seed_demo_shift(session, _facts(), _resources(), now=NOW, seed=SEED)
        with session_factory(other)() as session:
            seed_demo_shift(session, _facts(), _resources(), now=NOW, seed=SEED + 1)
        assert _snapshot(again) == _snapshot(seeded[0])
        assert _snapshot(other) != _snapshot(seeded[0])
    finally:
        again.dispose()
        other.dispose()


def _shared_data() -> Path | None:
    # The project's ../shared/data; a worktree sits one folder deeper than the main clone.
    for candidate in (SHARED_DATA, REPO.parent.parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return None


def test_no_text_from_shared_data(session: Session) -> None:
    shared = _shared_data()
    if shared is None:
        pytest.skip("../shared/data is absent (a user's clone): nothing to compare against")
    titles: list[str] = []
    for name in ("hotspots/messages.csv", "routing/dev.csv"):
        with (shared / name).open(encoding="utf-8", newline="") as handle:
            titles += [row["title"].strip() for row in csv.DictReader(handle) if len(row["title"].strip()) >= 8]
    assert len(titles) > 1000
    ours = templates_path(_resources()).read_text(encoding="utf-8")
    texts = [ours] + [json.dumps(c.fields, ensure_ascii=False) for c in session.scalars(select(Case))]
    blob = "\n".join(texts)
    assert not [t for t in titles if t in blob]
    # And no sentence of our templates is lifted from theirs.
    theirs = "\n".join(titles)
    sentences = {s for line in ours.splitlines() if not line.startswith("#")
                 for s in line.replace("，", "。").split("。") if len(s.strip(' "')) >= 12}
    assert not [s for s in sentences if s.strip(' "') in theirs]


def test_seeding_twice_seeds_once(tmp_path: Path) -> None:
    engine = _fresh_engine(tmp_path / "twice.sqlite")
    try:
        with session_factory(engine)() as session:
            first = seed_shift_if_empty(session, _facts(), _resources(), now=NOW)
            assert first is not None and first.cases > 0
            assert seed_shift_if_empty(session, _facts(), _resources(), now=NOW + timedelta(hours=3)) is None
            seed_if_empty(session, _facts(), _resources())  # the demo articles
            assert not seed_if_empty(session, _facts(), _resources(), shift=True)
            with pytest.raises(ValueError, match="has cases already"):
                seed_demo_shift(session, _facts(), _resources(), now=NOW)
            assert len(list(session.scalars(select(Case.id)))) == first.cases
    finally:
        engine.dispose()


def test_right_after_a_shift_change_the_last_hours_are_dense(tmp_path: Path) -> None:
    engine = _fresh_engine(tmp_path / "early.sqlite")
    now = datetime(2026, 3, 10, 16, 25, tzinfo=UTC)  # 00:25 city time: the 夜班 has just begun
    try:
        with session_factory(engine)() as session:
            seed_demo_shift(session, _facts(), _resources(), now=now)
            team = _team(session, LEAD_TEAM)
            recent = [c for c in session.scalars(select(Case)) if c.created_by in team
                      and now - timedelta(hours=3) <= datetime.fromisoformat(c.created_at) < now]
            assert len(recent) >= 150
            assert any(c.status == "dispatched" and c.respond_by < now.isoformat() for c in recent)
    finally:
        engine.dispose()


def test_the_cli_seeds_a_shift_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["init-db", "--db", url]) == 0
    assert main(["seed-demo", "--db", url, "--shift"]) == 0
    assert "demo shift:" in capsys.readouterr().out
    assert main(["seed-demo", "--db", url, "--shift"]) == 1
    assert "has cases already" in capsys.readouterr().err


def test_the_embedded_default_seeds_the_shift_and_a_plain_start_does_not(tmp_path: Path) -> None:
    from central_server.embedded import prepare_database

    for shift, path in ((True, tmp_path / "demo.sqlite"), (False, tmp_path / "plain.sqlite")):
        prepare_database(Settings(database_url=f"sqlite:///{path}"), demo_shift=shift)
        engine = make_engine(f"sqlite:///{path}")
        try:
            with session_factory(engine)() as session:
                assert (session.scalar(select(Case.id).limit(1)) is not None) == shift
        finally:
            engine.dispose()


def test_append_event_records_the_time_given(session: Session) -> None:
    case = session.scalars(select(Case)).first()
    assert case is not None
    with pytest.raises(ValueError, match="offset"):
        append_event(session, case, kind="note", payload={"text": "x"}, actor_id="2001",
                     at=datetime(2026, 3, 1, 12, 0))
    event = append_event(session, case, kind="note", payload={"text": "x"}, actor_id="2001",
                         at=datetime(2026, 3, 1, 20, 0, tzinfo=_facts().timezone))
    assert event.recorded_at == "2026-03-01T12:00:00.000+00:00"
    session.rollback()


def test_bulk_generator_makes_many_cases_of_one_team(tmp_path: Path) -> None:
    engine = _fresh_engine(tmp_path / "bulk.sqlite")
    try:
        with session_factory(engine)() as session:
            seed_demo_shift(session, _facts(), _resources(), now=NOW)
            before = set(session.scalars(select(Case.id)))
            report = generate_team_cases(session, _facts(), _resources(), team=LEAD_TEAM,
                                         start=NOW - timedelta(hours=8), end=NOW, count=2000, now=NOW)
            numbers = list(session.scalars(select(Case.number)))
            assert report.cases == 2000 and len(numbers) == len(before) + 2000 == len(set(numbers))
            team = _team(session, LEAD_TEAM)
            assert all(c.created_by in team for c in session.scalars(select(Case)) if c.id not in before)
    finally:
        engine.dispose()


def test_seeds_on_each_back_end(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            seed_demo(session, _facts())  # the roster people the test template lacks
            report = seed_demo_shift(session, _facts(), _resources(), now=NOW)
            change_ids = [e.change_id for e in session.scalars(select(CaseEvent).order_by(CaseEvent.change_id))]
            assert len(change_ids) == report.events == len(set(change_ids)) and None not in change_ids
            # In the pull feed a case's events come in their own order.
            for evs in _events(session).values():
                ids = [e.change_id for e in evs]
                assert ids == sorted(ids)  # type: ignore[type-var]
    finally:
        engine.dispose()


def test_a_broken_template_file_names_its_problem(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "city").mkdir()
    text = templates_path(_resources()).read_text(encoding="utf-8")
    broken = text.replace('category = "城乡建设/市政设施/路灯不亮"', 'category = "城乡建设/市政设施"', 1)
    (tmp_path / "demo" / "shift_templates.toml").write_text(broken, encoding="utf-8")
    (tmp_path / "city" / "routing_directory.toml").write_bytes(
        (_resources() / "city" / "routing_directory.toml").read_bytes())
    with pytest.raises(ValueError, match="城乡建设/市政设施: not a third-level category"):
        load_templates(tmp_path, _facts().city)

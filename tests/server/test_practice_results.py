"""Trainees' practice results from a small fixed set of attempts, on SQLite and PostgreSQL, through the live
server: every figure is compared with the value worked out by hand (in the comments). And the demo history:
scored with the real scoring, improving over the weeks, with the typical confusions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from central_server.core.city import load_city_facts
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import (
    PracticeAssignee,
    PracticeAssignment,
    PracticeAttempt,
    PracticeScenario,
    PracticeScenarioVersion,
    User,
)
from central_server.services.demo import seed_demo, seed_if_empty
from central_server.services.demo_practice_history import TYPICAL, seed_practice_history
from central_server.services.practice_results import confusions, skill_marks, weeks_of
from contract.case_fields import CaseInput
from contract.practice.scenario import Scenario
from contract.practice.scoring import load_weights, score_attempt
from tests.server.api_client import Api, assert_error
from tests.server.conftest import ServerFactory

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
CITY = load_city_facts(RESOURCES)
NOISE_SITE, NOISE_NEIGHBOUR = "环境保护/噪音扰民/施工噪音", "环境保护/噪音扰民/邻里噪音"
HOUSING, FEES = "城乡建设/住房保障/公租房申请", "城乡建设/物业管理/物业收费"
RANGE = {"start": "2026-11-23", "end": "2026-12-07"}  # city dates: ISO weeks 2026-W48 and 2026-W49


def t(text: str) -> datetime:
    """City time, stored in UTC as every writer of the server stores times."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


# (id, user, submitted (city time), total, seconds, {skill: right}, expected category, given category, assignment)
ATTEMPTS: list[tuple[str, str, str, float, float, dict[str, bool], str, str, str | None]] = [
    ("a0", "1001", "2026-11-22T23:59", 10, 10, {"category": False}, NOISE_SITE, HOUSING, None),  # before start
    ("a1", "1001", "2026-11-24T10:00", 80, 100, {"category": True, "lead_department": False, "time": True},
     NOISE_SITE, NOISE_SITE, None),
    ("a2", "1001", "2026-11-25T10:00", 60, 200, {"category": False, "lead_department": True, "time": True},
     NOISE_SITE, NOISE_NEIGHBOUR, None),
    ("a4", "1002", "2026-11-29T23:30", 50, 120, {"category": False, "citation": False}, HOUSING, NOISE_SITE, None),
    # 00:30 on Monday in the city is still Sunday in UTC: it belongs to the city's W49
    ("a5", "1002", "2026-11-30T00:30", 70, 150, {"category": False, "citation": True}, HOUSING, FEES, "asg"),
    ("a3", "1001", "2026-12-01T09:00", 90, 300, {"category": True, "lead_department": True, "time": False},
     NOISE_SITE, NOISE_SITE, "asg"),
    # a key that knows only two levels, answered with a leaf under them: right, not a confusion
    ("a7", "1001", "2026-12-02T10:00", 100, 60, {"category": True}, "城乡建设/物业管理", FEES, None),
    ("a8", "1002", "2026-12-03T10:00", 40, 250, {"category": False, "lead_department": False},
     NOISE_SITE, NOISE_NEIGHBOUR, None),
    ("a6", "1001", "2026-12-07T00:00", 0, 10, {"category": False}, NOISE_SITE, HOUSING, None),  # end is exclusive
]


def add_attempts(session: Session) -> None:
    session.execute(update(User).where(User.id == "1001").values(team="一班"))
    session.execute(update(User).where(User.id == "1002").values(team="二班"))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    session.add(PracticeAssignment(id="asg", title="噪音分类练习", kind="exercise", scenario_ids=["s1"],
                                   time_limit_seconds=None, suggestions_off=False, created_by="3001",
                                   created_at=now, due_at=None))
    session.flush()
    session.add_all([PracticeAssignee(assignment_id="asg", user_id=u) for u in ("1001", "1002")])
    session.add(PracticeScenario(id="s1", version=1, title="夜间施工噪音", status="published", source="demo",
                                 category=NOISE_SITE, difficulty=1, created_by="3001", updated_by="3001",
                                 updated_at=now, published_at=now))
    for aid, user, when, total, seconds, skills, expected, given, assignment in ATTEMPTS:
        fields = [{"skill": s, "weight": 10, "points": 10 if right else 0, "right": right, "expected": "",
                   "given": ""} for s, right in skills.items()]
        # stored as the attempts' writer stores them: the masks are left for the results to fill
        session.add(PracticeAttempt(
            id=aid, user_id=user, seat_id=None, scenario_id="s1", scenario_version=1, assignment_id=assignment,
            number=f"练-S001-20261201-{int(aid[1:]) + 1:04d}", answers={}, cited=[],
            score={"total": total, "seconds": seconds, "over_time": False, "fields": fields}, total=total,
            expected_category=expected, given_category=given, seconds=seconds, over_time=False,
            suggestions_shown=True, started_at=t(when) - timedelta(seconds=seconds), submitted_at=t(when),
            received_at=t(when)))
    session.commit()


@pytest.fixture
def api(server_factory: ServerFactory, database_url: str) -> Iterator[Api]:
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        add_attempts(s)
    engine.dispose()
    yield Api(server_factory().url)


def results(api: Api, **params: str) -> dict[str, Any]:
    resp = api.get("/practice/results", params={**RANGE, **params}, headers=api.token("3001"))
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_per_trainee_per_skill_per_week_and_confusions(api: Api) -> None:
    r = results(api)
    assert r["from"].startswith("2026-11-23T00:00:00+08:00") and r["to"].startswith("2026-12-07T00:00:00+08:00")
    assert r["attempts"] == 7  # a1..a5, a7, a8
    assert r["average"] == pytest.approx(490 / 7, abs=0.01)  # 80+60+50+70+90+100+40
    trainees = by_id(r["trainees"])
    assert set(trainees) == {"1001", "1002", "2001"}  # every active person who may practise; 1099 left
    one = trainees["1001"]
    assert (one["name"], one["team"], one["attempts"]) == ("李晓梅", "一班", 4)
    assert one["average"] == 82.5  # (80+60+90+100)/4
    assert one["median_seconds"] == 150  # 60 100 | 200 300
    assert one["skills"] == {"category": 0.75, "lead_department": pytest.approx(2 / 3, abs=1e-4),
                             "time": pytest.approx(2 / 3, abs=1e-4)}
    two = trainees["1002"]
    assert (two["attempts"], two["median_seconds"]) == (3, 150)  # 120 150 250
    assert two["average"] == pytest.approx(160 / 3, abs=0.01)
    assert two["skills"] == {"category": 0.0, "lead_department": 0.0, "citation": 0.5}
    assert trainees["2001"] == {"id": "2001", "name": "黄秀英", "team": "", "attempts": 0, "average": None,
                                "skills": {}, "median_seconds": None}
    # category 3 of 7, lead 2 of 4, citation 1 of 2, time 2 of 3 (SKILLS order)
    assert list(r["skills"]) == ["category", "lead_department", "citation", "time"]
    assert r["skills"] == {"category": pytest.approx(3 / 7, abs=1e-4), "lead_department": 0.5,
                           "citation": 0.5, "time": pytest.approx(2 / 3, abs=1e-4)}
    w48, w49 = r["weeks"]
    assert (w48["week"], w48["start"], w48["attempts"]) == ("2026-W48", "2026-11-23", 3)  # a1 a2 a4
    assert w48["average"] == pytest.approx(190 / 3, abs=0.01)
    assert w48["skills"] == {"category": pytest.approx(1 / 3, abs=1e-4), "lead_department": 0.5,
                             "citation": 0.0, "time": 1.0}
    assert (w49["week"], w49["start"], w49["attempts"], w49["average"]) == ("2026-W49", "2026-11-30", 4, 75.0)
    assert w49["skills"] == {"category": 0.5, "lead_department": 0.5, "citation": 1.0, "time": 0.0}
    assert r["confusions"] == [
        {"expected": "城乡建设", "given": "环境保护", "count": 1, "level": 1},
        {"expected": NOISE_SITE, "given": NOISE_NEIGHBOUR, "count": 2, "level": 3},
        {"expected": HOUSING, "given": FEES, "count": 1, "level": 3},  # ties in the order of the paths
        {"expected": HOUSING, "given": NOISE_SITE, "count": 1, "level": 3},
    ]
    assert [a["id"] for a in r["recent"]] == ["a8", "a7", "a3", "a5", "a4", "a2", "a1"]
    assert r["recent"][0] | {"submitted_at": ""} == {
        "id": "a8", "trainee": "1002", "name": "王建国", "scenario_id": "s1", "title": "夜间施工噪音",
        "total": 40.0, "seconds": 250.0, "submitted_at": ""}
    assert r["recent"][0]["submitted_at"].startswith("2026-12-03T10:00:00+08:00")


def test_filters_by_team_trainee_and_assignment(api: Api) -> None:
    team = results(api, team="一班")
    assert [p["id"] for p in team["trainees"]] == ["1001"]
    assert (team["attempts"], team["average"]) == (4, 82.5)
    assert [w["attempts"] for w in team["weeks"]] == [2, 2]
    assert team["confusions"] == [{"expected": NOISE_SITE, "given": NOISE_NEIGHBOUR, "count": 1, "level": 3}]
    one = results(api, trainee="1002")
    assert [p["id"] for p in one["trainees"]] == ["1002"]
    assert (one["attempts"], [w["attempts"] for w in one["weeks"]]) == (3, [1, 2])
    assignment = results(api, assignment="asg")  # a3 (90) and a5 (70)
    assert {p["id"]: p["attempts"] for p in assignment["trainees"]} == {"1001": 1, "1002": 1}
    assert (assignment["attempts"], assignment["average"]) == (2, 80.0)
    narrow = results(api, start="2026-11-30T00:00", end="2026-11-30T01:00")  # only a5
    assert narrow["attempts"] == 1 and [w["week"] for w in narrow["weeks"]] == ["2026-W49"]


def test_only_trainers_read_results_and_bad_ranges_are_refused(api: Api) -> None:
    assert_error(api.get("/practice/results", params=RANGE), 401)
    assert_error(api.get("/practice/results", params=RANGE, headers=api.token("1001")), 403, "forbidden")
    assert_error(api.get("/practice/results", params=RANGE, headers=api.token("2001")), 403, "forbidden")
    trainer = api.token("3001")
    assert_error(api.get("/practice/results", params={"start": "2026-12-07", "end": "2026-12-01"},
                         headers=trainer), 422, "invalid_range")
    assert_error(api.get("/practice/results", params={"start": "2025-01-01", "end": "2026-12-01"},
                         headers=trainer), 422, "range_too_large")
    resp = api.get("/practice/results", params={"start": "yesterday", "end": "2026-12-01"}, headers=trainer)
    assert resp.status_code == 422


def test_masks_and_level_folding() -> None:
    assert skill_marks({"fields": [{"skill": "category", "right": True}, {"skill": "district", "right": False},
                                   {"skill": "nonsense", "right": True}]}) == (0b1001, 0b1)
    assert confusions([("a/b/c", "a/b/d", 2), ("a/b/c", "x/y/z", 1), ("a/b", "a/b/q", 5), ("a", "x/y/z", 1)]) == [
        {"expected": "a", "given": "x", "count": 2, "level": 1},
        {"expected": "a/b/c", "given": "a/b/d", "count": 2, "level": 3},
        {"expected": "a", "given": "x/y/z", "count": 1, "level": 3},
        {"expected": "a/b/c", "given": "x/y/z", "count": 1, "level": 3},
    ]


def test_weeks_follow_the_city_calendar_across_a_dst_change() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")  # summer time ends on 2026-10-25
    weeks = weeks_of(datetime(2026, 10, 21, tzinfo=berlin), datetime(2026, 10, 28, tzinfo=berlin), berlin)
    assert [(w.label, w.monday.isoformat()) for w in weeks] == [("2026-W43", "2026-10-19"), ("2026-W44", "2026-10-26")]
    assert weeks[0].end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # Monday 00:00 CET


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        seed_demo(s, CITY)
        s.commit()
        yield s
    engine.dispose()


def test_the_demo_history_is_scored_improves_and_confuses(session: Session) -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    written = seed_practice_history(session, CITY, RESOURCES, now=now, rng=random.Random(16))
    assert written > 60
    trainees = {p.id for p in CITY.roster if p.role == "operator" and p.team in ("一班", "二班")}
    attempts = list(session.scalars(select(PracticeAttempt)))
    assert {a.user_id for a in attempts} == trainees
    assert all(now - timedelta(weeks=6) <= a.submitted_at.replace(tzinfo=UTC) < now for a in attempts)
    # every demo scenario was written as published, with its body
    assert session.scalar(select(func.count()).select_from(PracticeScenario)
                          .where(PracticeScenario.status == "published")) >= 2
    weights = load_weights(RESOURCES)
    for a in attempts:  # the stored score is exactly what scoring gives for the stored answers
        body = session.get(PracticeScenarioVersion, (a.scenario_id, a.scenario_version))
        assert body is not None
        score = score_attempt(Scenario.from_dict(body.body), CaseInput.from_mapping(a.answers), CITY.city,
                              seconds=a.seconds, weights=weights, cited=a.cited)
        assert score.to_dict() == a.score and score.total == a.total
        assert a.number.startswith("练-")
    from central_server.services.practice_results import ResultsFilter, practice_results

    r = practice_results(session, CITY.timezone, ResultsFilter(now - timedelta(weeks=6), now))
    averages = [w["average"] for w in r["weeks"] if w["attempts"]]
    assert sum(averages[-2:]) / 2 > sum(averages[:2]) / 2 + 5  # trainees improve
    level3 = [(c["expected"], c["given"]) for c in r["confusions"] if c["level"] == 3]
    assert (NOISE_SITE, NOISE_NEIGHBOUR) in level3 or (NOISE_NEIGHBOUR, NOISE_SITE) in level3
    # the typical mistakes make the head of the table, as in a real one
    assert all(given in TYPICAL[expected] for expected, given in level3[:4])
    assert any(e.startswith("城乡建设/") and g.startswith("城乡建设/住房保障/") for e, g in level3)
    assert seed_practice_history(session, CITY, RESOURCES, now=now, rng=random.Random(16)) == 0  # once only


def test_the_demo_history_plays_the_scenarios_the_demo_published(session: Session) -> None:
    """Called after the demo seeding (services/demo.py publishes the shipped scenarios): it plays their stored
    versions and writes no scenario of its own."""
    seed_if_empty(session, CITY, RESOURCES)
    scenarios = session.scalar(select(func.count()).select_from(PracticeScenario))
    versions = session.scalar(select(func.count()).select_from(PracticeScenarioVersion))
    assert scenarios and scenarios >= 30
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert seed_practice_history(session, CITY, RESOURCES, now=now, rng=random.Random(3)) > 60
    assert session.scalar(select(func.count()).select_from(PracticeScenario)) == scenarios
    assert session.scalar(select(func.count()).select_from(PracticeScenarioVersion)) == versions
    stored = {(r.id, r.version) for r in session.execute(select(PracticeScenario.id, PracticeScenario.version))}
    assert {(a.scenario_id, a.scenario_version) for a in session.scalars(select(PracticeAttempt))} <= stored

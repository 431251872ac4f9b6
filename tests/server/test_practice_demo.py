"""The demo city's practice: every shipped scenario published by the demo trainer, an exercise for a trainee and
a team, a timed exam for the trainee, seeded once; a trainee of the demo reads them through the API."""

from __future__ import annotations

from sqlalchemy import select

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.models import PracticeScenario
from central_server.services.demo import seed_demo, seed_if_empty
from central_server.services.demo_practice import EXAM_TITLE, EXERCISE_TITLE
from central_server.services.teams import team_members
from contract.practice.files import load_scenario_dir, scenario_dir
from tests.server.api_client import Api, count_rows
from tests.server.conftest import ServerFactory


def test_the_demo_publishes_the_shipped_scenarios_and_assigns_them_once(server_factory: ServerFactory,
                                                                         database_url: str) -> None:
    resources = resources_dir(Settings())
    shipped = load_scenario_dir(scenario_dir(resources))
    city = load_city_facts(resources)
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            seed_demo(session, city)  # the roster people the test template lacks (二班, …)
            assert seed_if_empty(session, city, resources)
            rows = session.scalars(select(PracticeScenario)).all()
            assert {r.id for r in rows} == {s.id for s in shipped}
            assert {(r.status, r.source, r.created_by, r.version) for r in rows} == {("published", "demo", "3001", 1)}
            second_team = set(team_members(session, "二班"))
            assert not seed_if_empty(session, city, resources)  # seeded once
    finally:
        engine.dispose()
    assert count_rows(database_url, "practice_scenarios") == len(shipped)
    assert count_rows(database_url, "practice_assignments") == 2

    api = Api(server_factory().url)
    trainee = api.get("/practice/assignments", headers=api.token("1001")).json()["assignments"]
    by_title = {a["title"]: a for a in trainee}
    assert set(by_title) == {EXERCISE_TITLE, EXAM_TITLE}
    exercise, exam = by_title[EXERCISE_TITLE], by_title[EXAM_TITLE]
    difficulty = {s.id: s.difficulty for s in shipped}
    assert exercise["kind"] == "exercise" and 1 <= len(exercise["scenario_ids"]) <= 6
    assert all(difficulty[s] == 1 for s in exercise["scenario_ids"])
    assert (exam["kind"], exam["suggestions_off"], exam["time_limit_seconds"]) == ("exam", True, 180)
    assert len(exam["scenario_ids"]) == min(5, len(shipped))
    trainer = api.get("/practice/assignments", headers=api.token("3001")).json()["assignments"]
    assignees = {a["title"]: set(a["assignees"]) for a in trainer}
    assert assignees[EXERCISE_TITLE] == {"1001"} | second_team and len(second_team) >= 4
    assert assignees[EXAM_TITLE] == {"1001"}
    seen = api.get("/practice/scenarios", headers=api.token("1001")).json()["scenarios"]
    assert len(seen) == len(shipped) and {s["status"] for s in seen} == {"published"}

"""The demo city's practice: every scenario the project ships (resources/training/scenarios) published by the demo
trainer, an exercise for a trainee and a team, and a timed exam for the trainee. Seeded once, on a database
without any practice scenario."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import PracticeScenario, User
from central_server.services import practice_assignments, practice_scenarios
from contract.practice.files import load_scenario_dir, scenario_dir
from contract.practice.scenario import Scenario

DEMO_TRAINER = "3001"
DEMO_TRAINEE = "1001"
DEMO_TEAM = "二班"
EXERCISE_TITLE = "新员工入门练习"
EXAM_TITLE = "分类派单测验"
EXAM_SECONDS = 180


@dataclass(frozen=True)
class PracticeSeed:
    scenarios: int
    assignments: int


def seed_practice_if_empty(session: Session, resources: Path, *, now: datetime | None = None
                           ) -> PracticeSeed | None:
    """Publish the demo scenarios and make the demo assignments when no scenario exists; None when it did
    nothing. Assignments go only to demo people who exist (the roster is seeded first)."""
    if session.scalar(select(PracticeScenario.id).limit(1)) is not None:
        return None
    session.rollback()  # end the read: the inserts below commit one scenario at a time
    when = now or datetime.now(UTC)
    shipped = load_scenario_dir(scenario_dir(resources))
    for scenario in shipped:
        practice_scenarios.store_new(session, scenario, by=DEMO_TRAINER, now=when,
                                     status=practice_scenarios.PUBLISHED, source="demo")
    trainer = session.get(User, DEMO_TRAINER)
    if trainer is None or not shipped:
        return PracticeSeed(len(shipped), 0)
    trainee = [DEMO_TRAINEE] if session.get(User, DEMO_TRAINEE) is not None else []
    made = 0
    beginner = [s.id for s in shipped if s.difficulty == 1][:6] or [s.id for s in shipped][:6]
    teams = [DEMO_TEAM] if session.scalar(select(User.id).where(User.team == DEMO_TEAM).limit(1)) else []
    if trainee or teams:
        practice_assignments.create(session, trainer, practice_assignments.NewAssignment(
            title=EXERCISE_TITLE, kind="exercise", scenario_ids=beginner, time_limit_seconds=None,
            suggestions_off=False, due_at=None, trainees=trainee, teams=teams), now=when)
        made += 1
    if trainee:
        exam = _exam_choice(shipped, exclude=set(beginner))
        practice_assignments.create(session, trainer, practice_assignments.NewAssignment(
            title=EXAM_TITLE, kind="exam", scenario_ids=exam, time_limit_seconds=EXAM_SECONDS,
            suggestions_off=True, due_at=None, trainees=trainee, teams=[]), now=when)
        made += 1
    return PracticeSeed(len(shipped), made)


def _exam_choice(shipped: list[Scenario], exclude: set[str]) -> list[str]:
    """Five scenarios across categories, preferring ones not in the exercise."""
    picked: list[str] = []
    seen: set[str] = set()
    for s in sorted(shipped, key=lambda s: (s.id in exclude, s.difficulty, s.id)):
        top = s.key.category.split("/")[0]
        if top not in seen:
            picked.append(s.id)
            seen.add(top)
        if len(picked) == 5:
            return picked
    rest = [s.id for s in shipped if s.id not in picked]
    return picked + rest[:5 - len(picked)]

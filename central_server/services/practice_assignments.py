"""Exercises (练习) and timed exams (考试) a trainer gives to trainees and teams. A team is expanded to its
members when the assignment is made: who joins the team later does not inherit it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid
from central_server.db.models import (
    PracticeAssignee,
    PracticeAssignment,
    PracticeAttempt,
    PracticeScenario,
    User,
)
from central_server.services.practice_scenarios import PUBLISHED, iso
from central_server.services.teams import team_members
from contract.roles import PRACTICE, may


@dataclass(frozen=True)
class NewAssignment:
    title: str
    kind: str  # "exercise" | "exam"
    scenario_ids: list[str]
    time_limit_seconds: int | None
    suggestions_off: bool
    due_at: datetime | None
    trainees: list[str]
    teams: list[str]


def create(session: Session, trainer: User, new: NewAssignment, *, now: datetime | None = None) -> dict[str, Any]:
    """Check and store; 422 `scenario_not_published`, `not_a_trainee`, `unknown_team`, `no_trainees`."""
    scenario_ids = list(dict.fromkeys(new.scenario_ids))
    published = set(session.scalars(select(PracticeScenario.id).where(
        PracticeScenario.id.in_(scenario_ids), PracticeScenario.status == PUBLISHED)))
    if missing := [s for s in scenario_ids if s not in published]:
        raise Invalid(f"not published scenarios: {', '.join(missing[:5])}", code="scenario_not_published")
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(set(new.trainees))))}
    if wrong := [t for t in dict.fromkeys(new.trainees) if not _trainee(people.get(t))]:
        raise Invalid(f"not active trainees (operators or team leads): {', '.join(wrong[:5])}", code="not_a_trainee")
    assignees = dict.fromkeys(new.trainees)
    for team in dict.fromkeys(new.teams):
        members = team_members(session, team)
        if not members:
            raise Invalid(f"no team {team!r}", code="unknown_team")
        for user in session.scalars(select(User).where(User.id.in_(set(members)))):
            if _trainee(user):
                assignees[user.id] = None
    if not assignees:
        raise Invalid("give the assignment to at least one trainee or team with trainees", code="no_trainees")
    row = PracticeAssignment(id=str(uuid.uuid4()), title=new.title.strip(), kind=new.kind, scenario_ids=scenario_ids,
                             time_limit_seconds=new.time_limit_seconds, suggestions_off=new.suggestions_off,
                             created_by=trainer.id, created_at=now or datetime.now(UTC),
                             due_at=new.due_at.astimezone(UTC) if new.due_at else None)
    session.add(row)
    session.flush()
    session.add_all(PracticeAssignee(assignment_id=row.id, user_id=user_id) for user_id in assignees)
    session.commit()
    return {**_shape(row), "assignees": sorted(assignees), "progress": {"assigned": len(assignees), "finished": 0}}


def _trainee(user: User | None) -> bool:
    return user is not None and user.active and may(user.role, PRACTICE)


def _shape(row: PracticeAssignment) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "kind": row.kind, "scenario_ids": list(row.scenario_ids),
            "time_limit_seconds": row.time_limit_seconds, "suggestions_off": row.suggestions_off,
            "due_at": iso(row.due_at) if row.due_at else None, "created_by": row.created_by,
            "created_at": iso(row.created_at)}


def mine(session: Session, user: User) -> list[dict[str, Any]]:
    """The user's assignments, newest first, each with `done`: scenario id -> the user's best total in it."""
    rows = session.scalars(select(PracticeAssignment).join(
        PracticeAssignee, PracticeAssignee.assignment_id == PracticeAssignment.id)
        .where(PracticeAssignee.user_id == user.id).order_by(PracticeAssignment.created_at.desc())).all()
    best: dict[str, dict[str, float]] = {}
    if rows:
        stmt = (select(PracticeAttempt.assignment_id, PracticeAttempt.scenario_id, func.max(PracticeAttempt.total))
                .where(PracticeAttempt.user_id == user.id,
                       PracticeAttempt.assignment_id.in_([r.id for r in rows]))
                .group_by(PracticeAttempt.assignment_id, PracticeAttempt.scenario_id))
        for assignment_id, scenario_id, total in session.execute(stmt):
            best.setdefault(str(assignment_id), {})[scenario_id] = float(total)
    return [{**_shape(r), "done": best.get(r.id, {})} for r in rows]


def every(session: Session) -> list[dict[str, Any]]:
    """Every assignment, newest first, with its assignees and progress: `finished` counts the assignees who have
    an attempt at every scenario of it."""
    rows = session.scalars(select(PracticeAssignment).order_by(PracticeAssignment.created_at.desc())).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    assignees: dict[str, list[str]] = {}
    for assignment_id, user_id in session.execute(select(PracticeAssignee.assignment_id, PracticeAssignee.user_id)
                                                  .where(PracticeAssignee.assignment_id.in_(ids))
                                                  .order_by(PracticeAssignee.user_id)):
        assignees.setdefault(assignment_id, []).append(user_id)
    played: dict[tuple[str, str], set[str]] = {}
    for of_assignment, user_id, scenario_id in session.execute(
            select(PracticeAttempt.assignment_id, PracticeAttempt.user_id, PracticeAttempt.scenario_id)
            .where(PracticeAttempt.assignment_id.in_(ids)).distinct()):
        played.setdefault((str(of_assignment), user_id), set()).add(scenario_id)
    out = []
    for r in rows:
        people = assignees.get(r.id, [])
        finished = sum(1 for p in people if set(r.scenario_ids) <= played.get((r.id, p), set()))
        out.append({**_shape(r), "assignees": people, "progress": {"assigned": len(people), "finished": finished}})
    return out


def assigned_to(session: Session, assignment_id: str, user_id: str) -> PracticeAssignment | None:
    """The assignment when the user is one of its assignees; None otherwise (missing or someone else's)."""
    row = session.get(PracticeAssignment, assignment_id)
    if row is None or session.get(PracticeAssignee, (assignment_id, user_id)) is None:
        return None
    return row

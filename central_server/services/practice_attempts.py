"""A trainee's attempts as seats send them. The server scores each one itself from the answers and the stored
scenario version (contract.practice.scoring, the seat's own function) and keeps its score: what a seat says it
scored is never read. An attempt's id is the seat's: sending it again is answered with the stored score."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from central_server.db.models import PracticeAttempt, PracticeScenarioVersion, User
from central_server.services.practice_assignments import assigned_to
from central_server.services.practice_checks import control_characters_in, describe_errors
from central_server.services.practice_scenarios import iso, version_body
from contract.case_fields import CaseInput
from contract.case_number import PRACTICE_NUMBER
from contract.city.model import City
from contract.errors import ValidationErrors
from contract.practice.scenario import Scenario
from contract.practice.scoring import Weights, score_attempt

MAX_LIMIT = 200


@dataclass(frozen=True)
class AttemptIn:
    id: str
    scenario_id: str
    scenario_version: int
    assignment_id: str | None
    number: str
    answers: dict[str, Any]
    cited: list[str]
    seconds: float
    suggestions_shown: bool
    started_at: datetime
    submitted_at: datetime


def receive(session: Session, user: User, attempt: AttemptIn, *, city: City, weights: Weights,
            now: datetime | None = None) -> dict[str, Any]:
    """Score and store; the same id again from the same user answers the stored score and changes nothing.

    409 `attempt_conflict` (the id is someone else's attempt), 422 `not_practice_number`, `invalid_answers`,
    `invalid_times`, `not_in_assignment`, 404 `scenario_not_found`, 403 `not_your_assignment`."""
    stored = session.get(PracticeAttempt, attempt.id)
    if stored is not None:
        return _same_again(stored, user)
    if not PRACTICE_NUMBER.match(attempt.number):
        raise Invalid("a practice attempt is numbered in the practice namespace (练-…)", code="not_practice_number")
    if attempt.started_at > attempt.submitted_at:
        raise Invalid("started_at is after submitted_at", code="invalid_times")
    if place := control_characters_in(attempt.answers, "answers"):
        raise Invalid(f"{place}: control characters are not allowed", code="invalid_answers")
    try:
        answers = CaseInput.from_mapping(attempt.answers)
    except ValidationErrors as exc:
        # Shape only: an exam that timed out sends an incomplete form, scored as it stands.
        raise Invalid("answers: " + describe_errors(exc.errors), code="invalid_answers") from None
    body = version_body(session, attempt.scenario_id, attempt.scenario_version)
    if body is None:
        raise NotFound(f"no version {attempt.scenario_version} of practice scenario {attempt.scenario_id!r}",
                       code="scenario_not_found")
    scenario = Scenario.from_dict(body)
    if attempt.assignment_id is not None:
        assignment = assigned_to(session, attempt.assignment_id, user.id)
        if assignment is None:
            raise Forbidden("this assignment is not yours", code="not_your_assignment")
        if attempt.scenario_id not in assignment.scenario_ids:
            raise Invalid("the scenario is not part of this assignment", code="not_in_assignment")
        if assignment.time_limit_seconds:
            scenario = replace(scenario, time_limit_seconds=assignment.time_limit_seconds)
    score = score_attempt(scenario, answers, city, seconds=attempt.seconds, weights=weights, cited=attempt.cited)
    row = PracticeAttempt(
        id=attempt.id, user_id=user.id, seat_id=None, scenario_id=attempt.scenario_id,
        scenario_version=attempt.scenario_version, assignment_id=attempt.assignment_id, number=attempt.number,
        answers=answers.to_dict(), cited=sorted(set(attempt.cited)), score=score.to_dict(), total=score.total,
        expected_category=scenario.key.category[:200], given_category=answers.category.strip().strip("/")[:200],
        seconds=attempt.seconds, over_time=score.over_time, suggestions_shown=attempt.suggestions_shown,
        started_at=attempt.started_at.astimezone(UTC), submitted_at=attempt.submitted_at.astimezone(UTC),
        received_at=now or datetime.now(UTC))
    try:
        session.add(row)
        session.commit()
    except IntegrityError:  # the same attempt sent twice at once: the first one stored is the answer
        session.rollback()
        stored = session.get(PracticeAttempt, attempt.id)
        if stored is None:
            raise
        return _same_again(stored, user)
    return {"id": row.id, "score": row.score}


def _same_again(stored: PracticeAttempt, user: User) -> dict[str, Any]:
    if stored.user_id != user.id:
        raise Conflict("this attempt id belongs to another person's attempt", code="attempt_conflict")
    return {"id": stored.id, "score": stored.score}


def mine(session: Session, user: User, *, limit: int) -> list[dict[str, Any]]:
    """The user's latest attempts, newest first, with the title of the version played."""
    stmt = (select(PracticeAttempt, PracticeScenarioVersion.body)
            .join(PracticeScenarioVersion, (PracticeScenarioVersion.scenario_id == PracticeAttempt.scenario_id)
                  & (PracticeScenarioVersion.version == PracticeAttempt.scenario_version))
            .where(PracticeAttempt.user_id == user.id)
            .order_by(PracticeAttempt.submitted_at.desc(), PracticeAttempt.id).limit(min(limit, MAX_LIMIT)))
    return [{"id": a.id, "scenario_id": a.scenario_id, "scenario_version": a.scenario_version,
             "title": str(body.get("title", "")), "total": a.total, "submitted_at": iso(a.submitted_at),
             "assignment_id": a.assignment_id, "seconds": a.seconds, "number": a.number}
            for a, body in session.execute(stmt).all()]

"""Practice (练习): the scenario library, assignments and attempts. Trainers (TRAINING) author, publish and assign;
trainees (PRACTICE: operators and team leads) read published scenarios and their assignments and send attempts,
which the server scores itself. Nothing here reads or writes a real case."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, status

from central_server.api.deps import ContextDep, PracticeReader, PracticeUser, SessionDep, TrainerUser
from central_server.api.kb_schemas import ONE_LINE
from central_server.api.practice_schemas import AssignmentRequest, AttemptRequest
from central_server.core.config import resources_dir
from central_server.core.errors import ServerError
from central_server.services import practice_assignments, practice_attempts, practice_scenarios
from central_server.services.practice_scenarios import PUBLISHED, RETIRED
from contract.practice.scoring import Weights, load_weights
from contract.roles import TRAINING, may

router = APIRouter(prefix="/practice", tags=["practice"])
ScenarioIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ONE_LINE)]
ScenarioBody = Annotated[dict[str, Any], Body(description="a scenario in the shape of Scenario.to_dict()")]


class WeightsBroken(ServerError):
    status = 503
    code = "scoring_invalid"


@lru_cache(maxsize=4)
def _weights_of(resources: FilePath) -> Weights:
    return load_weights(resources)


def _weights(ctx: ContextDep) -> Weights:
    try:
        return _weights_of(resources_dir(ctx.settings))
    except ValueError as exc:
        raise WeightsBroken(f"the practice scoring weights are broken: {exc}") from None


@router.get("/scenarios")
def scenarios(user: PracticeReader, session: SessionDep,
              which: Annotated[Literal["published", "all"], Query(alias="status")] = "published",
              ) -> dict[str, Any]:
    """Published scenarios with their bodies; a trainer's `?status=all` adds drafts and retired ones."""
    every = which == "all" and may(user.role, TRAINING)
    return {"scenarios": practice_scenarios.list_scenarios(session, every_status=every)}


@router.get("/scenarios/{scenario_id}")
def scenario(scenario_id: ScenarioIdPath, user: PracticeReader, session: SessionDep) -> dict[str, Any]:
    """The current body and status; trainees see published scenarios only (404 `scenario_not_found`)."""
    return practice_scenarios.read(session, scenario_id, any_status=may(user.role, TRAINING))


@router.post("/scenarios", status_code=status.HTTP_201_CREATED)
def create_scenario(body: ScenarioBody, trainer: TrainerUser, session: SessionDep, ctx: ContextDep,
                    ) -> dict[str, Any]:
    """A new draft, version 1 (422 `invalid_scenario`, `personal_data`; 409 `scenario_exists`)."""
    return practice_scenarios.create(session, trainer, body, city=ctx.city.city)


@router.put("/scenarios/{scenario_id}")
def save_scenario(scenario_id: ScenarioIdPath, body: ScenarioBody, trainer: TrainerUser, session: SessionDep,
                  ctx: ContextDep) -> dict[str, Any]:
    """The next version; `version` is the one edited (409 `version_conflict` when another was saved since)."""
    return practice_scenarios.save(session, trainer, scenario_id, body, city=ctx.city.city)


@router.post("/scenarios/{scenario_id}/publish")
def publish(scenario_id: ScenarioIdPath, trainer: TrainerUser, session: SessionDep) -> dict[str, Any]:
    return practice_scenarios.set_status(session, trainer, scenario_id, PUBLISHED)


@router.post("/scenarios/{scenario_id}/retire")
def retire(scenario_id: ScenarioIdPath, trainer: TrainerUser, session: SessionDep) -> dict[str, Any]:
    return practice_scenarios.set_status(session, trainer, scenario_id, RETIRED)


@router.get("/assignments")
def assignments(user: PracticeReader, session: SessionDep) -> dict[str, Any]:
    """A trainer: every assignment with assignees and progress. A trainee: theirs, with their best totals."""
    if may(user.role, TRAINING):
        return {"assignments": practice_assignments.every(session)}
    return {"assignments": practice_assignments.mine(session, user)}


@router.post("/assignments", status_code=status.HTTP_201_CREATED)
def assign(body: AssignmentRequest, trainer: TrainerUser, session: SessionDep) -> dict[str, Any]:
    """422 `scenario_not_published`, `not_a_trainee`, `unknown_team`, `no_trainees`."""
    new = practice_assignments.NewAssignment(
        title=body.title, kind=body.kind, scenario_ids=body.scenario_ids, time_limit_seconds=body.time_limit_seconds,
        suggestions_off=body.suggestions_off, due_at=body.due_at, trainees=body.trainees, teams=body.teams)
    return practice_assignments.create(session, trainer, new)


@router.post("/attempts")
def attempt(body: AttemptRequest, user: PracticeUser, session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Score the attempt from its answers and keep the server's score: {"id", "score"}. The same id again answers
    the same; 409 `attempt_conflict`, 404 `scenario_not_found`, 403 `not_your_assignment`, 422
    `not_practice_number`, `invalid_answers`."""
    received = practice_attempts.AttemptIn(
        id=body.id, scenario_id=body.scenario_id, scenario_version=body.scenario_version,
        assignment_id=body.assignment_id, number=body.number, answers=body.answers, cited=body.cited,
        seconds=body.seconds, suggestions_shown=body.suggestions_shown, started_at=body.started_at,
        submitted_at=body.submitted_at)
    return practice_attempts.receive(session, user, received, city=ctx.city.city, weights=_weights(ctx))


@router.get("/attempts/mine")
def my_attempts(user: PracticeUser, session: SessionDep,
                limit: Annotated[int, Query(ge=1, le=practice_attempts.MAX_LIMIT)] = 50) -> dict[str, Any]:
    """My latest attempts, newest first."""
    return {"attempts": practice_attempts.mine(session, user, limit=limit)}

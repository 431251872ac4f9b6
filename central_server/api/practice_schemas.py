"""Request bodies of the practice API (/api/v1/practice); a scenario's body is checked by the contract
(Scenario.from_dict), a form's answers by CaseInput.from_mapping, both in the services. Answers are plain JSON,
documented in docs/ARCHITECTURE.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from central_server.api.kb_schemas import ONE_LINE
from central_server.services.seats import UUID_TEXT

MAX_SCENARIOS_PER_ASSIGNMENT = 50
MAX_SECONDS = 24 * 3600  # an attempt worked on for more than a day is a clock left running

ScenarioId = Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE)]
PersonId = Annotated[str, Field(min_length=1, max_length=16, pattern=ONE_LINE)]
TeamName = Annotated[str, Field(min_length=1, max_length=32, pattern=ONE_LINE)]
ArticleId = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]


class AssignmentRequest(BaseModel):
    """An exercise or an exam for trainees and whole teams (a team is expanded to its members now)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=60, pattern=ONE_LINE)
    kind: Literal["exercise", "exam"]
    scenario_ids: list[ScenarioId] = Field(min_length=1, max_length=MAX_SCENARIOS_PER_ASSIGNMENT)
    time_limit_seconds: int | None = Field(default=None, ge=30, le=3600, strict=True,
                                           description="per scenario; overrides the scenarios' own limits")
    suggestions_off: bool = False
    due_at: AwareDatetime | None = None
    trainees: list[PersonId] = Field(default_factory=list, max_length=500)
    teams: list[TeamName] = Field(default_factory=list, max_length=50)


class AttemptRequest(BaseModel):
    """One scenario as a trainee handled it. Keys the server does not take (a seat's own `score`, for one) are
    ignored: the server scores the answers itself."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=UUID_TEXT)
    scenario_id: ScenarioId
    scenario_version: int = Field(ge=1, le=1_000_000, strict=True)
    assignment_id: str | None = Field(default=None, min_length=1, max_length=36, pattern=ONE_LINE)
    number: str = Field(min_length=1, max_length=40)
    answers: dict[str, Any]
    cited: list[ArticleId] = Field(default_factory=list, max_length=50)
    seconds: float = Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    suggestions_shown: bool = True
    started_at: AwareDatetime
    submitted_at: AwareDatetime

"""Trainees' practice results for trainers: GET /api/v1/practice/results (services/practice_results.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from central_server.api.deps import ContextDep, SessionDep, TrainerUser
from central_server.core.errors import Invalid
from central_server.services.practice_results import ResultsFilter, practice_results

router = APIRouter(prefix="/practice", tags=["practice"])
MAX_RANGE = timedelta(days=400)  # a training year, week by week


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class TraineeResults(_Out):
    id: str
    name: str
    team: str
    attempts: int
    average: float | None = Field(description="mean total 0..100; null without attempts")
    skills: dict[str, float] = Field(description="skill → share of attempts right (0..1), skills scored only")
    median_seconds: float | None


class WeekResults(_Out):
    week: str = Field(description="ISO week of the city's calendar, 2026-W48")
    start: str = Field(description="its Monday, YYYY-MM-DD")
    attempts: int
    average: float | None
    skills: dict[str, float]


class Confusion(_Out):
    expected: str = Field(description="the key's category (level 1: its top level)")
    given: str = Field(description="what the trainee chose instead")
    count: int
    level: int = Field(description="1: top-level categories differ; 3: the answer is wrong to the key's depth")


class RecentAttempt(_Out):
    id: str
    trainee: str
    name: str
    scenario_id: str
    title: str
    total: float
    seconds: float
    submitted_at: datetime


class PracticeResults(_Out):
    from_: datetime = Field(alias="from")
    to: datetime
    attempts: int
    average: float | None
    trainees: list[TraineeResults]
    skills: dict[str, float]
    weeks: list[WeekResults]
    confusions: list[Confusion]
    recent: list[RecentAttempt]


@router.get("/results", response_model_by_alias=True)
def results(
    user: TrainerUser, session: SessionDep, ctx: ContextDep,
    start: Annotated[datetime, Query(description="ISO-8601 date or time; without an offset: city time")],
    end: Annotated[datetime, Query(description="exclusive; a date alone means its midnight")],
    team: Annotated[str | None, Query(max_length=40)] = None,
    trainee: Annotated[str | None, Query(max_length=16)] = None,
    assignment: Annotated[str | None, Query(max_length=36)] = None,
) -> PracticeResults:
    """Attempts submitted in [start, end): per trainee, per skill, per ISO week, the category confusions and the
    latest attempts; optionally of one team, one trainee or one assignment."""
    tz = ctx.city.timezone
    start = start if start.tzinfo is not None else start.replace(tzinfo=tz)
    end = end if end.tzinfo is not None else end.replace(tzinfo=tz)
    if end <= start:
        raise Invalid("'end' must be later than 'start'", code="invalid_range")
    if end - start > MAX_RANGE:
        raise Invalid(f"the range may span at most {MAX_RANGE.days} days", code="range_too_large")
    flt = ResultsFilter(start, end, team or None, trainee or None, assignment or None)
    return PracticeResults.model_validate(practice_results(session, tz, flt))

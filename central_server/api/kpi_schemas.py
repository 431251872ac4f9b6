"""The answer of GET /api/v1/lead/kpis (docs/ARCHITECTURE.md "Shift KPIs" defines each figure)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class HourCount(_Out):
    hour: int = Field(ge=0, le=23, description="hour of the city's day")
    count: int


class OperatorCount(_Out):
    operator_id: str
    name: str
    count: int


class OnTime(_Out):
    on_time: int
    due: int
    rate: float | None


class Satisfaction(_Out):
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    unreachable: int
    rate: float | None


class AnswerRate(_Out):
    offered: int
    answered: int
    abandoned: int
    rate: float | None


class Routing(_Out):
    suggested: int
    accepted: int
    overridden: int
    acceptance_rate: float | None
    override_rate: float | None


class DepartmentReturns(_Out):
    department_id: str
    name: str
    dispatched: int
    returned: int
    rate: float


class Kpis(_Out):
    team: str
    from_: datetime = Field(alias="from")
    to: datetime
    cases: int
    cases_per_hour: list[HourCount]
    cases_per_operator: list[OperatorCount]
    response_on_time: OnTime
    completion_on_time: OnTime
    satisfaction: Satisfaction
    answer_rate: AnswerRate
    avg_wait_seconds: float | None
    avg_handling_seconds: float | None
    routing: Routing
    returns_by_department: list[DepartmentReturns]

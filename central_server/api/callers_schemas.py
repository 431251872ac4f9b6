"""Bodies of POST /api/v1/callers/history (the screen pop's caller history)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CallerQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=1, max_length=40)


class EarlierCaseOut(BaseModel):
    number: str
    accepted_at: str
    category: str
    status: str
    respond_by: str
    finish_by: str
    special_needs: list[str]
    last_events: list[str]  # event kinds (contract.events), newest first


class CallerHistoryOut(BaseModel):
    cases: list[EarlierCaseOut]
    open_count: int
    truncated: bool  # more cases than the limit: the oldest closed ones are left out

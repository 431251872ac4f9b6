"""Bodies of the callback (回访) endpoints (/api/v1/callbacks/...)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CallbackRow(BaseModel):
    number: str
    category: str
    special_needs: list[str]
    due_at: str
    phone: str  # masked
    content: str
    department: str  # the lead department's name
    reply: str  # the department's words at 办结
    attempts: int
    claimed_by: str | None
    claim_until: str | None


class CallbackQueue(BaseModel):
    rows: list[CallbackRow]
    attempts_allowed: int


class ClaimAnswer(BaseModel):
    number: str
    claim_until: str


class RevealAnswer(BaseModel):
    phone: str


class ResultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
    note: str = Field(default="", max_length=2000)


class ResultAnswer(BaseModel):
    event_id: str
    final: bool
    status: str
    due_at: str | None  # when an unreachable citizen is called again
    finish_by: str | None  # the new finish deadline after 不满意 (重办)

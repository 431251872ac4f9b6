"""Bodies of the call-record endpoints (POST /api/v1/calls, GET /api/v1/lead/calls)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from central_server.services.seats import SEAT_CODE

MAX_CALLS_PER_POST = 5000
MAX_WAIT_SECONDS = 24 * 3600


class _Call(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    offered_at: AwareDatetime
    ended_at: AwareDatetime = Field(description="not before offered_at (nor answered_at)")
    wait_seconds: float = Field(ge=0, le=MAX_WAIT_SECONDS, allow_inf_nan=False,
                                description="at most the whole call (ended_at - offered_at)")
    seat_code: str | None = Field(default=None, pattern=SEAT_CODE)
    caller_masked: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+ -]*\*[0-9*+ -]*$",
                                      description="the caller's number, masked by the telephony system")

    def times_problem(self) -> str | None:
        if self.ended_at < self.offered_at:
            return "ended_at is before offered_at"
        answered = getattr(self, "answered_at", None)
        if answered is not None and not self.offered_at <= answered <= self.ended_at:
            return "answered_at must fall between offered_at and ended_at"
        if self.wait_seconds > (self.ended_at - self.offered_at).total_seconds() + 1:
            return "wait_seconds is longer than the whole call"
        return None

    @model_validator(mode="after")
    def _ordered(self) -> _Call:
        if (problem := self.times_problem()) is not None:
            raise ValueError(problem)
        return self


class AnsweredCall(_Call):
    """Answered by an operator (when the telephony system knows who) at a seat."""

    abandoned: Literal[False]
    answered_at: AwareDatetime = Field(description="between offered_at and ended_at")
    operator_id: str | None = Field(default=None, min_length=1, max_length=16)


class AbandonedCall(_Call):
    """The caller hung up before anyone answered: in the queue (no seat) or while it rang at a seat."""

    abandoned: Literal[True]
    answered_at: None = None
    operator_id: None = None


CallIn = Annotated[AnsweredCall | AbandonedCall, Field(discriminator="abandoned")]


class CallsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: Annotated[list[CallIn], Field(min_length=1, max_length=MAX_CALLS_PER_POST)]


class CallsStored(BaseModel):
    stored: int = Field(description="calls new to the server")
    duplicates: int = Field(description="calls whose call_id the server had already (left as they were)")


class CallOut(BaseModel):
    call_id: str
    offered_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    wait_seconds: float
    abandoned: bool
    seat_code: str | None
    operator_id: str | None
    operator_name: str | None
    caller_masked: str | None


class CallList(BaseModel):
    team: str
    calls: list[CallOut]
    truncated: bool = Field(description="more calls fell in the range than one answer holds")

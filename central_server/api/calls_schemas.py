"""Bodies of the call-record endpoints (POST /api/v1/calls, GET /api/v1/lead/calls)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from central_server.services.seats import SEAT_CODE

MAX_CALLS_PER_POST = 5000
MAX_WAIT_SECONDS = 24 * 3600


class CallIn(BaseModel):
    """One call: offered to the hotline, answered by an operator at a seat or abandoned by the caller."""

    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    offered_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime
    wait_seconds: float = Field(ge=0, le=MAX_WAIT_SECONDS, allow_inf_nan=False)
    abandoned: bool
    seat_code: str | None = Field(default=None, pattern=SEAT_CODE)
    operator_id: str | None = Field(default=None, min_length=1, max_length=16)
    caller_masked: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+ -]*\*[0-9*+ -]*$",
                                      description="the caller's number, masked by the telephony system")

    @model_validator(mode="after")
    def _consistent(self) -> CallIn:
        if self.ended_at < self.offered_at:
            raise ValueError("ended_at is before offered_at")
        if self.abandoned:
            if self.answered_at is not None or self.operator_id is not None:
                raise ValueError("an abandoned call has no answered_at and no operator_id")
        else:
            if self.answered_at is None:
                raise ValueError("a call that was not abandoned needs answered_at")
            if not self.offered_at <= self.answered_at <= self.ended_at:
                raise ValueError("answered_at must fall between offered_at and ended_at")
        if self.wait_seconds > (self.ended_at - self.offered_at).total_seconds() + 1:
            raise ValueError("wait_seconds is longer than the whole call")
        return self


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

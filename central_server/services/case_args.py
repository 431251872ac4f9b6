"""Shapes of the args a seat sends with "case.created" (operator_app/services/intake.py), checked with pydantic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from central_server.services.seats import SEAT_CODE, UUID_TEXT

CASE_NUMBER = r"^[A-Z][A-Z0-9]{1,7}-\d{8}-\d{4,}$"
DISPOSITIONS = ("direct", "dispatch")


class CreatedPayload(BaseModel):
    """Extra keys are kept as sent: newer seats may add to the payload."""

    model_config = ConfigDict(extra="allow")

    number: str = Field(pattern=CASE_NUMBER, max_length=32)
    fields: dict[str, Any]
    respond_by: str = Field(default="", max_length=40)
    finish_by: str = Field(default="", max_length=40)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("disposition") not in DISPOSITIONS:
            raise ValueError(f"fields.disposition must be one of {', '.join(DISPOSITIONS)}")
        lead = value.get("lead_department", "")
        if not isinstance(lead, str) or len(lead) > 32:
            raise ValueError("fields.lead_department must be a department id of at most 32 characters")
        if value["disposition"] == "dispatch" and not lead:
            raise ValueError("a dispatched case needs fields.lead_department")
        return value


class CreatedEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=UUID_TEXT)
    seq: Literal[1]
    kind: Literal["created"]
    payload: CreatedPayload
    recorded_at: str = Field(min_length=1, max_length=40)


class CaseCreatedArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(pattern=UUID_TEXT)
    seat_code: str = Field(pattern=SEAT_CODE)
    event: CreatedEvent


def plain_errors(exc: ValidationError, *, limit: int = 3) -> str:
    """'event.payload.number: String should match pattern ...' for the first few problems, no input values."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "args"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")

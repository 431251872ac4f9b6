"""Bodies of the team lead's workbench endpoints (/api/v1/lead/...): the shift, the queue, a case, its actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# At least two characters that are not white space (the server strips a reason and wants two left).
REASON = r"^[\s\x1c-\x1f]*[^\s\x1c-\x1f][\s\S]*[^\s\x1c-\x1f]"
NOT_BLANK = r"^[\s\x1c-\x1f]*[^\s\x1c-\x1f]"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShiftOut(BaseModel):
    name: str
    start: str
    end: str


class MemberOut(BaseModel):
    id: str
    name: str
    role: str


class ShiftAnswer(BaseModel):
    team: str
    shift: ShiftOut
    members: list[MemberOut]


class QueueAnswer(BaseModel):
    """`rows` are masked; each names the filters it counts in (`filters`, the keys of `counts`)."""

    model_config = ConfigDict(populate_by_name=True)

    team: str
    from_: str = Field(alias="from")
    to: str
    counts: dict[str, int]
    rows: list[dict[str, Any]]


class CaseAnswer(BaseModel):
    case: dict[str, Any]
    events: list[dict[str, Any]]


class RevealRequest(_In):
    field: Literal["phone", "caller_name", "address"]
    reason: str = Field(max_length=200, pattern=REASON, description="why the value is needed (audited)")


class RevealAnswer(BaseModel):
    value: str


class _Reasoned(_In):
    reason: str = Field(max_length=500, pattern=REASON, description="why (at least two characters)")


class ReturnForCorrection(_Reasoned):
    action: Literal["return_for_correction"]


class Redispatch(_Reasoned):
    action: Literal["redispatch"]
    to_department: str = Field(min_length=1, max_length=32, description="a department id other than the current")


class Supervise(_Reasoned):
    action: Literal["supervise"]


class Note(_In):
    action: Literal["note"]
    text: str = Field(max_length=2000, pattern=NOT_BLANK)


LeadActionRequest = Annotated[ReturnForCorrection | Redispatch | Supervise | Note, Field(discriminator="action")]


class LeadActionAnswer(BaseModel):
    number: str
    status: str
    event_seq: int
    kind: str

"""Request and response bodies of the server's own endpoints (the sync bodies live in contract/protocol.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from central_server.services.seats import SEAT_CODE, UUID_TEXT
from contract.roles import Role


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(_In):
    refresh_token: str = Field(min_length=1, max_length=4096)


class UserOut(BaseModel):
    id: str
    username: str
    name: str
    role: Role


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds the access token lives")
    user: UserOut


class SeatRegisterRequest(_In):
    seat_id: str = Field(pattern=UUID_TEXT, description="the seat's UUID, lower-case with hyphens")
    seat_code: str = Field(pattern=SEAT_CODE, description="2-8 capital letters or digits, starting with a letter")
    credential: str | None = Field(
        default=None, min_length=32, max_length=128, pattern=r"^[A-Za-z0-9_-]+$",
        description="the credential the seat chose and kept before asking, so that an answer lost on the way costs "
                    "nothing: asked again with it as X-Seat-Credential, the server answers the same. Only its hash "
                    "is kept. Without it the server makes one.")


class SeatRegistered(BaseModel):
    seat_id: str
    seat_code: str
    seat_credential: str = Field(description="shown once; the server keeps only its hash")


# Holds a character that str.strip() keeps: the server strips a reason and refuses one left empty. (\x1c-\x1f count
# as white space for Python's strip but not for the Rust and ECMA \s. Written as more than one character class so
# that schema-driven generators do not turn it into an alphabet for the whole string.)
NOT_BLANK = r"^[\s\x1c-\x1f]*[^\s\x1c-\x1f]"


class _Action(_In):
    department_id: str = Field(min_length=1, max_length=32)


class SignAction(_Action):
    action: Literal["sign"]
    reason: str | None = Field(default=None, max_length=500)


class CompleteAction(_Action):
    action: Literal["complete"]
    reason: str | None = Field(default=None, max_length=500)


class ReturnAction(_Action):
    action: Literal["return"]
    reason: str = Field(max_length=500, pattern=NOT_BLANK, description="why the department returns the case")


class ExtendAction(_Action):
    action: Literal["extend"]
    reason: str = Field(max_length=500, pattern=NOT_BLANK, description="why the deadline moves")
    new_finish_by: datetime = Field(description="the new finish deadline, in the future (no zone: city time)")


# One shape per action, so the published schema says which fields each needs (a reason to return or extend).
ActionRequest = Annotated[SignAction | CompleteAction | ReturnAction | ExtendAction, Field(discriminator="action")]


class ActionResult(BaseModel):
    case_id: str
    number: str
    status: str
    finish_by: str
    event_id: str
    event_seq: int
    kind: str


class CaseOut(BaseModel):
    id: str
    number: str
    status: str
    created_by: str
    created_at: str
    respond_by: str
    finish_by: str
    category: str
    district: str
    lead_department: str


class CaseList(BaseModel):
    operator_id: str
    cases: list[CaseOut]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    protocol_version: int
    database: str
    version: str

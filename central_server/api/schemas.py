"""Request and response bodies of the server's own endpoints (the sync bodies live in contract/protocol.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class SeatRegistered(BaseModel):
    seat_id: str
    seat_code: str
    seat_credential: str = Field(description="shown once; the server keeps only its hash")


class ActionRequest(_In):
    action: Literal["sign", "return", "extend", "complete"]
    department_id: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(default=None, max_length=500)
    new_finish_by: datetime | None = None

    @model_validator(mode="after")
    def _needs(self) -> ActionRequest:
        has_reason = bool(self.reason and self.reason.strip())
        if self.action in ("return", "extend") and not has_reason:
            raise ValueError(f"{self.action} needs a reason")
        if self.action == "extend" and self.new_finish_by is None:
            raise ValueError("extend needs new_finish_by")
        return self


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

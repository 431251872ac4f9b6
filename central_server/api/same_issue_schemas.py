"""Body of GET /api/v1/cases/same-issue."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SameIssueOut(BaseModel):
    number: str
    status: str
    category: str
    accepted_at: str = Field(description="when the seat accepted it (ISO-8601 with offset)")
    reasons: list[str] = Field(description="same_phone (同一来电号码) and/or same_place (同一地点且内容相近)")
    reason_text: str = Field(description="the reasons in the operator's words, joined by ；")
    phone_masked: str
    title: str = Field(description="the first sentence of the content, the caller's name and long numbers masked")
    score: float = Field(description="1 for the same phone plus the content similarity (0..1): the ranking")

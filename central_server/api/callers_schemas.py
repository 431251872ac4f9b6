"""Bodies of POST /api/v1/callers/history (the screen pop's caller history)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# A phone as contract.phone.normalize_phone writes it (and cases hold it): a mobile, or a landline with its area
# code (010 and 02x with 8 digits, other codes 7 or 8) and an optional extension. The schema says it exactly, so a
# number of another shape is refused as invalid (422) and any number of this shape is a fair question.
CANONICAL_PHONE = r"^(1[3-9][0-9]{9}|0(10|2[0-9])-[1-9][0-9]{7}(-[0-9]{1,6})?|0(1[1-9]|[3-9][0-9])[0-9]-[1-9][0-9]{6,7}(-[0-9]{1,6})?)$"


class CallerQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(pattern=CANONICAL_PHONE, description="normalised: 13800138000, 0731-84561234(-808)")


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

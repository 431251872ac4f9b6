"""Bodies of the hot-spot endpoints (/api/v1/lead/hotspots)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from central_server.api.schemas import NOT_BLANK


class HotspotCaseOut(BaseModel):
    number: str
    accepted_at: datetime
    district: str
    street: str
    title: str = Field(description="the first sentence of the content, the caller's name and long numbers masked")
    status: str


class HotspotOut(BaseModel):
    id: str
    title: str = Field(description="the title of the group's first case")
    size: int = Field(description="cases of the group accepted in the range")
    growth: int = Field(description="cases in the second half of the range minus cases in the first half")
    district: str
    street: str
    place: str = Field(description="the compound or road the cases name, else the street or district")
    category: str
    first_at: datetime
    last_at: datetime
    supervised: bool
    suggested_supervision: bool = Field(description="建议督办: the threshold in resources/lead/hotspots.toml")
    cases: list[HotspotCaseOut]


class SuperviseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=500, pattern=NOT_BLANK, description="why the hot spot is supervised")


class SuperviseOut(BaseModel):
    id: str
    supervised_cases: int = Field(description="open cases that got a 督办 (supervised) event")
    skipped_closed: int = Field(description="closed cases of the group, left alone")
    numbers: list[str]

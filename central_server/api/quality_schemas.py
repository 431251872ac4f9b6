"""Request bodies of the quality review API (/api/v1/quality, /api/v1/lead/quality); answers are plain JSON
shaped by services/quality_view.py and documented in docs/ARCHITECTURE.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from central_server.api.kb_schemas import MULTILINE, PLAUSIBLE_TIME
from central_server.services.quality import MAX_PER_OPERATOR

ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", max_length=32)]
OperatorId = Annotated[str, Field(min_length=1, max_length=16)]
FilterName = Literal["urgent", "special_needs", "direct", "dispatched"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SampleRequest(_In):
    """Sample up to `per_operator` cases of each operator (all of the team's but the lead, or `operator_ids`),
    accepted in [from, to) (at most 92 days), at random or from a filter; never a case sampled before."""

    start: datetime = Field(alias="from", json_schema_extra={"pattern": PLAUSIBLE_TIME})
    end: datetime = Field(alias="to", json_schema_extra={"pattern": PLAUSIBLE_TIME})
    per_operator: int = Field(ge=1, le=MAX_PER_OPERATOR)
    operator_ids: list[OperatorId] | None = Field(default=None, max_length=200)
    filter: FilterName | None = None
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="a seed makes the draw reproducible")


class ScoreRequest(_In):
    """Points for every item of the current scoresheet (each 0..its max_points) and a comment."""

    scores: dict[ItemId, Annotated[int, Field(ge=0, le=100)]] = Field(max_length=30)
    comment: str = Field(default="", max_length=2000, json_schema_extra={"pattern": MULTILINE})

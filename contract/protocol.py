"""The seat ↔ central server wire protocol (DESIGN.md "Sync protocol"), shared by sync/ and central_server/.

Transactional outbox on the seat, per-seat `seq`, server-side change counter for pulls. Pydantic models so both
sides validate the same shapes; no Qt, no HTTP here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MAX_BATCH = 500  # mutations per push
MAX_PULL = 1000  # changes per pull page

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mutation(_Strict):
    seq: int = Field(ge=1)
    mutation_id: str = Field(min_length=36, max_length=36)
    name: str = Field(max_length=48)
    args: dict[str, Any]
    operator_id: str = Field(min_length=1, max_length=16)
    entity_id: str = Field(min_length=1, max_length=36)
    created_at: str = Field(max_length=40)


class PushRequest(_Strict):
    protocol_version: int
    seat_id: str = Field(min_length=36, max_length=36)
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


# applied | duplicate (the server holds this mutation_id) | rejected (with a reason, for a person) |
# conflict (the seq already holds another mutation: nothing was stored; the seat sends it again above the mark)
MutationStatus = Literal["applied", "duplicate", "rejected", "conflict"]
SEQ_CONFLICT = "seq_conflict"  # MutationResult.code of a `conflict`


class MutationResult(_Strict):
    seq: int
    status: MutationStatus
    error: str | None = None  # why it was rejected: a Chinese sentence the operator can act on
    code: str | None = None  # a stable code for a rejection or a conflict (invalid_field, seq_conflict, ...)


class PushResponse(_Strict):
    last_applied_seq: int
    results: list[MutationResult]


class Change(_Strict):
    entity: str
    id: str
    op: Literal["upsert", "delete"]
    version: int
    data: dict[str, Any]


class PullResponse(_Strict):
    changes: list[Change]
    cursor: int
    has_more: bool
    reset_required: bool = False
    # The seat's high-water mark of pushed mutations on the server (None from servers before it was added).
    seat_high_water: int | None = None


class ErrorBody(_Strict):
    """Every 4xx body: a stable machine code and a plain-words message."""

    error: str
    message: str

"""The args a seat sends with "case.created" (operator_app/services/intake.py) and "case.event"
(operator_app/services/corrections.py), checked before anything is stored.

The shape (ids, number, times) is checked with pydantic; the case's `fields` with the contract's validation, the
same the seat's form runs, against this server's city: the server refuses exactly what the form refuses.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from central_server.services.seats import SEAT_CODE, UUID_TEXT
from contract.case_fields import FIELD_LABELS, ValidCase, check_submitted_fields
from contract.case_number import CASE_NUMBER, day_and_seq
from contract.city.model import City
from contract.enums import Disposition
from contract.errors import ValidationErrors

MAX_EXTRAS_CHARS = 20_000  # routing record and knowledge-base citations, as JSON
CALL_ID_TEXT = r"^[A-Za-z0-9._:-]{1,64}$"  # as central_server/api/calls_schemas.py takes a call's id
MAX_HANDLING_SECONDS = 86_400  # a case worked on for more than a day is a clock left running, not work


class ArgsProblem(ValueError):
    """The args are not shaped as a seat makes them; `where` names the place (no values)."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


class FieldsProblem(ValueError):
    """The case's fields fail the form's validation; `problems` are Chinese sentences, one per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


class CreatedPayload(BaseModel):
    """Extra keys (the routing record, knowledge-base citations) are kept as sent, within a size limit.

    `handling_seconds`: how long the operator worked on the case, from the first edit of the form to submit; a whole
    number (strict: no text, no fraction, no true/false) within a day. Seats before it was added send none.

    `call_id`: the telephony system's id of the call the case was taken on (the screen pop), so call records
    (POST /api/v1/calls) and cases join; shaped as the call records take it. Absent for cases not from a call."""

    model_config = ConfigDict(extra="allow")

    number: str = Field(pattern=CASE_NUMBER.pattern, max_length=32)
    fields: dict[str, Any]
    respond_by: str = Field(default="", max_length=40)
    finish_by: str = Field(default="", max_length=40)
    handling_seconds: int | None = Field(default=None, ge=0, le=MAX_HANDLING_SECONDS, strict=True)
    call_id: str | None = Field(default=None, pattern=CALL_ID_TEXT)
    # The channel message (网络渠道) the case was made from (services/channel_intake.py links the two).
    intake_id: str | None = Field(default=None, pattern=UUID_TEXT)


class CreatedEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=UUID_TEXT)
    seq: Literal[1]
    kind: Literal["created"]  # contract.events.CREATED
    payload: CreatedPayload
    recorded_at: str = Field(min_length=1, max_length=40)


class CaseCreatedArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(pattern=UUID_TEXT)
    seat_code: str = Field(pattern=SEAT_CODE)
    event: CreatedEvent


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1, strict=True)


class CorrectedPayload(BaseModel):
    """contract.events.CORRECTED: the operator's corrected fields, with the routing record re-chosen for them and
    the knowledge-base citations of the first submission."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any]
    routing: dict[str, Any] | None = None
    citations: list[Citation] | None = Field(default=None, max_length=50)


class SeatEvent(BaseModel):
    """An event the seat made on a case it holds. `seq` is its place in the seat's copy of the history; the server
    appends it after its own last event and the seat takes that place from the pull."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=UUID_TEXT)
    seq: int = Field(ge=2, le=1_000_000, strict=True)
    kind: str = Field(min_length=1, max_length=32)
    payload: dict[str, Any]
    recorded_at: str = Field(min_length=1, max_length=40)


class CaseEventArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(pattern=UUID_TEXT)
    event: SeatEvent


def parse_case_event(args: dict[str, Any]) -> CaseEventArgs:
    """The args of a "case.event" (any kind: the caller refuses kinds it does not take); raises ArgsProblem."""
    try:
        parsed = CaseEventArgs.model_validate(args)
    except ValidationError as exc:
        raise ArgsProblem(error_places(exc)) from exc
    _check_time(parsed.event.recorded_at, "event.recorded_at")
    return parsed


def parse_corrected(payload: dict[str, Any], city: City) -> tuple[CorrectedPayload, ValidCase]:
    """A "corrected" event's payload and its fields validated exactly as a created case's; raises ArgsProblem or
    FieldsProblem."""
    try:
        parsed = CorrectedPayload.model_validate(payload)
    except ValidationError as exc:
        raise ArgsProblem("event.payload." + error_places(exc)) from exc
    extras = {k: v for k, v in payload.items() if k != "fields"}
    if len(json.dumps(extras, ensure_ascii=False)) > MAX_EXTRAS_CHARS:
        raise ArgsProblem("event.payload")
    try:
        valid = check_submitted_fields(parsed.fields, city)
    except ValidationErrors as exc:
        raise FieldsProblem([_sentence(e.field, e.message) for e in exc.errors]) from exc
    return parsed, valid


def parse_created(args: dict[str, Any], city: City) -> tuple[CaseCreatedArgs, ValidCase]:
    """The parsed args and the case's fields as validated; raises ArgsProblem or FieldsProblem."""
    try:
        parsed = CaseCreatedArgs.model_validate(args)
    except ValidationError as exc:
        raise ArgsProblem(error_places(exc)) from exc
    payload = parsed.event.payload
    _check_number(payload.number)
    _check_time(parsed.event.recorded_at, "event.recorded_at")
    extras = payload.model_extra or {}
    if len(json.dumps(extras, ensure_ascii=False)) > MAX_EXTRAS_CHARS:
        raise ArgsProblem("event.payload")
    try:
        valid = check_submitted_fields(payload.fields, city)
    except ValidationErrors as exc:
        raise FieldsProblem([_sentence(e.field, e.message) for e in exc.errors]) from exc
    _check_deadlines(payload, valid.disposition)
    return parsed, valid


def error_places(exc: ValidationError, *, limit: int = 3) -> str:
    """'event.payload.number' for the first few problems; no input values, no English messages."""
    places = [".".join(str(p) for p in err["loc"]) or "args"
              for err in exc.errors(include_input=False, include_url=False)[:limit]]
    return "、".join(dict.fromkeys(places))


def _sentence(field: str, message: str) -> str:
    label = FIELD_LABELS.get(field, field)
    return message if message.startswith(label) else f"{label}：{message}"


def _check_number(number: str) -> None:
    parsed = day_and_seq(number)
    try:
        if parsed is None:
            raise ValueError(number)
        date(int(parsed[0][:4]), int(parsed[0][4:6]), int(parsed[0][6:]))
    except ValueError:
        raise ArgsProblem("event.payload.number") from None


def _check_time(text: str, where: str) -> datetime:
    """An ISO-8601 time with its UTC offset, as the seat writes it."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ArgsProblem(where) from None
    if when.tzinfo is None:
        raise ArgsProblem(where)
    return when


def _check_deadlines(payload: CreatedPayload, disposition: str) -> None:
    """A dispatched case has both deadlines, respond-by first; a case closed at once has none."""
    if disposition != Disposition.DISPATCH.value:
        if payload.respond_by or payload.finish_by:
            raise ArgsProblem("event.payload.respond_by")
        return
    respond = _check_time(payload.respond_by, "event.payload.respond_by")
    finish = _check_time(payload.finish_by, "event.payload.finish_by")
    if respond > finish:
        raise ArgsProblem("event.payload.finish_by")

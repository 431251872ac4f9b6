"""The "case.contact" mutation (contract/names.py): a citizen contacted the hotline again about an existing case
(重复来电, REPEAT_CALL) or urged it on (催办, URGED). The seat builds it with `contact_args`; the server checks what
arrives with `parse_contact` and trusts nothing else of it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from contract.case_number import CASE_NUMBER, is_practice_number
from contract.enums import Channel
from contract.events import REPEAT_CALL, URGED

CONTACT_KINDS = (REPEAT_CALL, URGED)
MAX_TEXT = 2000  # what the citizen said this time
MAX_CALL_ID = 64
_TEXT_KEY = {REPEAT_CALL: "content", URGED: "text"}
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")


class ContactProblem(ValueError):
    """The args are not shaped as a seat makes them; `where` names the part."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


@dataclass(frozen=True)
class CaseContact:
    case_number: str
    event_id: str
    kind: str
    payload: dict[str, Any]
    recorded_at: str

    @property
    def text(self) -> str:
        return str(self.payload[_TEXT_KEY[self.kind]])


def contact_args(*, case_number: str, event_id: str, kind: str, text: str, channel: str, recorded_at: str,
                 call_id: str | None = None) -> dict[str, Any]:
    """The args a seat pushes; checked here so a seat never queues what the server would refuse for its shape."""
    payload: dict[str, Any] = {_TEXT_KEY.get(kind, "text"): text.strip(), "channel": channel}
    if kind == REPEAT_CALL and call_id:
        payload["call_id"] = call_id
    args = {"case_number": case_number, "event": {"id": event_id, "kind": kind, "payload": payload,
                                                  "recorded_at": recorded_at}}
    parse_contact(args)
    return args


def parse_contact(args: Any) -> CaseContact:
    """The checked contact; raises ContactProblem. A practice number (练-…) passes the shape: the server refuses
    it with its own reason (services/practice_guard.py)."""
    if not isinstance(args, dict) or set(args) != {"case_number", "event"}:
        raise ContactProblem("args")
    number = args["case_number"]
    if not isinstance(number, str) or not (CASE_NUMBER.match(number) or is_practice_number(number)):
        raise ContactProblem("case_number")
    event = args["event"]
    if not isinstance(event, dict) or set(event) != {"id", "kind", "payload", "recorded_at"}:
        raise ContactProblem("event")
    try:
        event_id = str(uuid.UUID(str(event["id"])))
    except ValueError as exc:
        raise ContactProblem("event.id") from exc
    if event_id != event["id"]:
        raise ContactProblem("event.id")
    kind = event["kind"]
    if kind not in CONTACT_KINDS:
        raise ContactProblem("event.kind")
    recorded_at = event["recorded_at"]
    if not isinstance(recorded_at, str) or not _TIME.match(recorded_at):
        raise ContactProblem("event.recorded_at")
    payload = event["payload"]
    key = _TEXT_KEY[kind]
    allowed = {key, "channel"} | ({"call_id"} if kind == REPEAT_CALL else set())
    if not isinstance(payload, dict) or not {key, "channel"} <= set(payload) <= allowed:
        raise ContactProblem("event.payload")
    text = payload[key]
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ContactProblem(f"event.payload.{key}")
    if payload["channel"] not in {c.value for c in Channel}:
        raise ContactProblem("event.payload.channel")
    call_id = payload.get("call_id")
    if call_id is not None and (not isinstance(call_id, str) or not 0 < len(call_id) <= MAX_CALL_ID):
        raise ContactProblem("event.payload.call_id")
    return CaseContact(number, event_id, kind, dict(payload), recorded_at)

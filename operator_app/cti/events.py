"""One call event as the telephony system sends it, checked field by field (nothing is guessed).

{"event": "ringing"|"answered"|"ended", "call_id": "...", "caller": "13900001234" or "" (withheld),
 "channel": "hotline", "at": "2026-03-02T09:00:00+08:00"}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from contract.phone import PhoneFormatError, normalize_phone

RINGING, ANSWERED, ENDED = "ringing", "answered", "ended"
EVENT_KINDS = (RINGING, ANSWERED, ENDED)
FIELDS = ("event", "call_id", "caller", "channel", "at")
MAX_BODY_BYTES = 4096
CALL_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # as the server's call records take it (POST /api/v1/calls)
CHANNEL = re.compile(r"^[a-z0-9_-]{1,32}$")


class BadCallEvent(ValueError):
    """The event is not one the desk can use; the message is plain English naming the field, never its value."""


@dataclass(frozen=True)
class CallEvent:
    event: str
    call_id: str
    caller: str  # normalised (contract.phone), or "" when the number is withheld
    channel: str
    at: datetime


def parse_event(body: bytes) -> CallEvent:
    """The event in a request body; raises BadCallEvent."""
    if len(body) > MAX_BODY_BYTES:
        raise BadCallEvent(f"the event is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadCallEvent("the body is not JSON (UTF-8)") from None
    if not isinstance(data, dict):
        raise BadCallEvent("the body must be a JSON object")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise BadCallEvent(f"missing field(s): {', '.join(missing)}")
    extra = sorted(set(data) - set(FIELDS))
    if extra:
        raise BadCallEvent(f"unknown field(s): {', '.join(extra[:5])}")
    if not all(isinstance(data[f], str) for f in FIELDS):
        raise BadCallEvent("every field must be a JSON string")
    if data["event"] not in EVENT_KINDS:
        raise BadCallEvent(f"event must be one of {', '.join(EVENT_KINDS)}")
    if not CALL_ID.match(data["call_id"]):
        raise BadCallEvent("call_id must be 1 to 64 letters, digits or . _ : -")
    if not CHANNEL.match(data["channel"]):
        raise BadCallEvent("channel must be 1 to 32 lower-case letters, digits, _ or -")
    caller = ""
    if data["caller"].strip():
        try:
            caller = normalize_phone(data["caller"])
        except PhoneFormatError:
            raise BadCallEvent("caller is not a mobile or a landline number with its area code "
                               "(send \"\" when the number is withheld)") from None
    try:
        at = datetime.fromisoformat(data["at"])
    except ValueError:
        raise BadCallEvent("at must be an ISO-8601 time") from None
    if at.tzinfo is None:
        raise BadCallEvent("at needs its UTC offset, e.g. 2026-03-02T09:00:00+08:00")
    return CallEvent(event=data["event"], call_id=data["call_id"], caller=caller, channel=data["channel"], at=at)


def event_json(event: CallEvent) -> dict[str, str]:
    """The wire form of an event (what `operator-app cti simulate` posts)."""
    return {"event": event.event, "call_id": event.call_id, "caller": event.caller, "channel": event.channel,
            "at": event.at.isoformat(timespec="seconds")}

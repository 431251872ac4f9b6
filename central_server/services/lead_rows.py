"""A case as the team lead's queue shows it: the one place a queue row is built, with personal data masked, and the
flags (overdue, due soon, low confidence, ...) computed from the case's state and its events."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contract.city.model import City
from contract.enums import CaseStatus, Urgency
from contract.events import COMPLETED, CORRECTED, EXTENDED, RETURNED, SIGNED, SUPERVISED
from contract.phone import mask_name, mask_phone

# Department events: the first one is the department's response (签收, 退单, 延期 or 办结).
RESPONSES = frozenset({SIGNED, RETURNED, EXTENDED, COMPLETED})
_CLOSED = CaseStatus.CLOSED.value
_CORRECTING = CaseStatus.CORRECTING.value
_STATUS_LABELS = {s.value: s.label for s in CaseStatus}
# Runs of 7 or more digits (with the separators people type) in free text: phone numbers, ID card numbers.
_DIGIT_RUN = re.compile(r"\d[\d\- ]{5,}\d")
PREVIEW_CHARS = 60
# Count keys of the queue, in the order the desk shows its filter buttons ("unsynced_seats" comes with the backlog).
FILTERS = ("all", "overdue", "due_within_hour", "low_confidence", "overridden", "urgent", "special_needs",
           "repeat_caller", "returned", "correcting", "supervised")


def mask_text(text: str) -> str:
    """Free text with long digit runs masked but their last four digits (a phone typed into the content)."""
    return _DIGIT_RUN.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)


def mask_address(address: str) -> str:
    """The first third of an address (at most six characters, usually district and street) and asterisks."""
    if not address:
        return ""
    keep = min(6, len(address) // 3)
    return address[:keep] + "*" * min(len(address) - keep, 8)


def masked_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A case's fields with the caller's name, phones and address masked, and digit runs masked in free text."""
    out = dict(fields)
    out["caller_name"] = mask_name(str(fields.get("caller_name") or ""))
    out["phone"] = mask_phone(str(fields.get("phone") or ""))
    out["callback_phone"] = mask_phone(str(fields.get("callback_phone") or ""))
    out["address"] = mask_address(str(fields.get("address") or ""))
    for key in ("content", "request", "answer", "urgency_reason", "special_needs_other"):
        if isinstance(fields.get(key), str):
            out[key] = mask_text(fields[key])
    return out


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_time(text: str | None) -> datetime | None:
    """An ISO time with offset, or None for empty or unreadable text (a deadline a case does not have)."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


@dataclass
class History:
    """What a case's events after `created` say for the queue (folded in seq order)."""

    responded: bool = False
    returned_reason: str | None = None
    supervised: bool = False
    routing: dict[str, Any] | None = None  # a correction's routing record replaces the created one
    kinds: list[str] = field(default_factory=list)

    def add(self, kind: str, payload: Mapping[str, Any]) -> None:
        self.kinds.append(kind)
        if kind in RESPONSES:
            self.responded = True
        if kind == RETURNED:
            self.returned_reason = str(payload.get("reason") or "")
        elif kind == SUPERVISED:
            self.supervised = True
        elif kind == CORRECTED:
            routing = payload.get("routing")
            if isinstance(routing, str):  # the queue reads it as JSON text
                routing = _json_or_none(routing)
            if isinstance(routing, dict):
                self.routing = dict(routing)


@dataclass(frozen=True)
class RowContext:
    """Everything a row needs besides the case itself; built once per answer."""

    city: City
    now: datetime
    operators: Mapping[str, str]  # user id -> name
    seat_codes: Mapping[str, str]  # seat id -> code
    low_confidence_below: float
    due_soon: timedelta


# The fields of a case a queue row shows, read out of its JSON by the query (services/lead_queue.py) or from the
# case row (case_columns): the row builder reads this flat mapping, never the whole fields document.
ROW_FIELDS = ("category", "district", "street", "urgency", "special_needs", "caller_name", "phone", "content")


def top_confidence(routing: Mapping[str, Any] | None) -> float | None:
    if not routing:
        return None
    shown = routing.get("suggestions")
    if not isinstance(shown, list) or not shown or not isinstance(shown[0], dict):
        return None
    value = shown[0].get("confidence")
    return float(value) if isinstance(value, (int, float)) else None


def case_columns(case: Any, routing: Mapping[str, Any] | None) -> dict[str, Any]:
    """The flat mapping queue_row reads, from a Case row and its created event's routing record."""
    fields: Mapping[str, Any] = case.fields or {}
    out: dict[str, Any] = {k: getattr(case, k) for k in (
        "id", "number", "status", "created_by", "seat_id", "lead_department", "respond_by", "finish_by",
        "created_at")}
    out.update({k: fields.get(k) for k in ROW_FIELDS})
    out["content"] = str(fields.get("content") or "")[:PREVIEW_CHARS]
    out["confidence"] = top_confidence(routing)
    out["overridden"] = bool(routing.get("overridden")) if routing else None
    return out


def deadline_flags(*, status: str, respond_by: str, finish_by: str, responded: bool, now: datetime,
                   due_soon: timedelta) -> tuple[str | None, bool]:
    """(overdue, due_within_hour). A closed case is never overdue. Before the department responds, the respond-by
    deadline is the one that counts (and finish-by once that has passed too); after it, finish-by (extensions move
    it). Due within the hour: not overdue, and the deadline that counts falls within `due_soon` from now."""
    if status == _CLOSED:
        return None, False
    respond, finish = parse_time(respond_by), parse_time(finish_by)
    if finish is not None and now >= finish:
        return "finish", False
    if not responded and respond is not None:
        if now >= respond:
            return "respond", False
        return None, respond - now <= due_soon
    if finish is not None:
        return None, finish - now <= due_soon
    return None, False


def queue_row(case: Mapping[str, Any], history: History, repeat_count: int, ctx: RowContext) -> dict[str, Any]:
    """One row of the shift queue (masked). `case` is flat: the cases columns (id, number, status, created_by,
    seat_id, lead_department, respond_by, finish_by, created_at), ROW_FIELDS (content at most PREVIEW_CHARS), and
    the created event's routing: top `confidence` and `overridden` (None without a routing record)."""
    status = str(case["status"])
    overdue, due_soon = deadline_flags(status=status, respond_by=case["respond_by"], finish_by=case["finish_by"],
                                       responded=history.responded, now=ctx.now, due_soon=ctx.due_soon)
    confidence, overridden = case["confidence"], case["overridden"]
    if history.routing is not None:  # corrected after a send-back: the correction's record counts
        confidence, overridden = top_confidence(history.routing), bool(history.routing.get("overridden"))
    district_id = str(case["district"] or "")
    district = ctx.city.districts.get(district_id)
    lead = str(case["lead_department"] or "")
    department = ctx.city.departments.get(lead)
    needs = case["special_needs"]
    if isinstance(needs, str):  # the queue reads it as JSON text: most cases have none
        needs = _json_or_none(needs) if needs != "[]" else []
    return {
        "id": case["id"], "number": case["number"], "status": status,
        "status_label": _STATUS_LABELS.get(status, status),
        "created_by": case["created_by"], "operator_name": ctx.operators.get(case["created_by"], ""),
        "seat_code": ctx.seat_codes.get(case["seat_id"], ""),
        "accepted_at": case["created_at"], "respond_by": case["respond_by"] or None,
        "finish_by": case["finish_by"] or None,
        "category": str(case["category"] or ""),
        "district": district.name if district else district_id,
        "street": str(case["street"] or ""),
        "lead_department": lead, "lead_department_name": department.name if department else lead,
        "urgency": str(case["urgency"] or Urgency.NORMAL.value),
        "special_needs": [str(n) for n in needs] if isinstance(needs, list) else [],
        "caller_masked": mask_name(str(case["caller_name"] or "")),
        "phone_masked": mask_phone(str(case["phone"] or "")),
        "routing_confidence": float(confidence) if confidence is not None else None,
        "routing_overridden": bool(overridden),
        "repeat_count": repeat_count,
        "returned_reason": history.returned_reason,
        "overdue": overdue, "due_within_hour": due_soon,
        "supervised": history.supervised, "correcting": status == _CORRECTING,
        "content_preview": mask_text(str(case["content"] or "")[:PREVIEW_CHARS]),
    }


def row_filters(row: Mapping[str, Any], low_confidence_below: float) -> Iterable[str]:
    """The filters a row counts in (the desk's filter buttons use the same keys)."""
    yield "all"
    if row["overdue"]:
        yield "overdue"
    if row["due_within_hour"]:
        yield "due_within_hour"
    if row["routing_confidence"] is not None and row["routing_confidence"] < low_confidence_below:
        yield "low_confidence"
    if row["routing_overridden"]:
        yield "overridden"
    if row["urgency"] == Urgency.URGENT.value:
        yield "urgent"
    if row["special_needs"]:
        yield "special_needs"
    if row["repeat_count"] > 0:
        yield "repeat_caller"
    if row["returned_reason"] is not None:
        yield "returned"
    if row["correcting"]:
        yield "correcting"
    if row["supervised"]:
        yield "supervised"

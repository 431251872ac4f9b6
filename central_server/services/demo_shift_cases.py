"""One demo case as a seat makes it: the form an operator filled in from a template, validated by the contract,
with the deadlines, the routing record (operator_app/routing/record.py) and the handling time, wrapped in the
"case.created" args a seat pushes (operator_app/services/intake.py). The server's plan_case_from_seat then
checks it by its own rules, as it checks every seat's case."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from central_server.services.demo_shift_templates import Route, ShiftTemplates, Template
from contract.case_fields import CaseInput, ValidCase, validate_case
from contract.case_number import format_case_number
from contract.city.model import City
from contract.deadlines import compute_deadlines
from contract.enums import Disposition, SpecialNeed, Urgency

LOW_CONFIDENCE = 0.6  # ui/routing/panel.py shows a suggestion below this as uncertain


@dataclass(frozen=True)
class RoutingModelFacts:
    """The routing model the seats have installed: its version and the top-level categories it predicts."""

    version: str
    labels: tuple[str, ...]


def routing_model_facts(resources: Path) -> RoutingModelFacts:
    manifest = json.loads((resources / "routing" / "manifest.json").read_text(encoding="utf-8"))
    model = json.loads((resources / "routing" / "model.json").read_text(encoding="utf-8"))
    return RoutingModelFacts(str(manifest["model_version"]), tuple(model["labels"]))


@dataclass(frozen=True)
class Caller:
    name: str  # "" when the caller stayed anonymous
    phone: str  # normalised; "" when the call came without a number
    special_needs: tuple[str, ...] = ()
    special_needs_other: str = ""
    note: str = ""  # what the operator wrote about the caller, after the issue in the content


@dataclass(frozen=True)
class Place:
    district: str  # name
    street: str
    road: str
    compound: str
    object: str


@dataclass(frozen=True)
class CaseSpec:
    """What happened on one call; everything else follows from it."""

    operator_id: str
    seat_code: str
    accepted_at: datetime  # UTC
    template: Template
    caller: Caller
    place: Place
    when_words: str  # the {time} of the content
    urgent: bool
    direct: bool
    routing: str  # "confident" | "low" | "wrong" (the operator overrode it) | "department" (other lead) | "none"
    handling_seconds: int


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def case_form(city: City, book: ShiftTemplates, spec: CaseSpec) -> CaseInput:
    """The form as the operator filled it in: the template's words with this call's place, object and time."""
    t, p, c = spec.template, spec.place, spec.caller
    content = t.content.format(street=p.street, road=p.road, compound=p.compound, object=p.object,
                               time=spec.when_words)
    district = city.district_by_name(p.district)
    assert district is not None  # places are drawn from the city's districts
    route = _chosen_route(book, t.category, district.government_department, spec.routing)
    dispatch = not spec.direct
    return CaseInput(
        caller_name=c.name, anonymous=not c.name, phone_kind="number" if c.phone else "none", phone=c.phone,
        special_needs=c.special_needs, special_needs_other=c.special_needs_other, appeal_type=t.appeal_type,
        category=t.category, district=p.district, street=p.street, address=f"{p.road}{p.compound}",
        content=f"{content}{c.note}", request=t.request,
        urgency=Urgency.URGENT.value if spec.urgent else Urgency.NORMAL.value,
        urgency_reason=t.urgent_reason if spec.urgent else "",
        disposition=Disposition.DISPATCH.value if dispatch else Disposition.DIRECT.value,
        answer="" if dispatch else t.answer,
        lead_department=route.lead if dispatch else "",
        cooperating_departments=route.cooperating if dispatch else (),
    )


def _chosen_route(book: ShiftTemplates, category: str, government: str, routing: str) -> Route:
    """The directory's route; an operator who overrode the lead department sent it to the district instead."""
    route = book.route(category, government)
    if routing == "department" and route.lead != government:
        return Route(government, tuple(d for d in route.cooperating if d != government))
    return route


def created_args(city: City, book: ShiftTemplates, model: RoutingModelFacts, spec: CaseSpec, *, seq: int,
                 rng: random.Random) -> dict[str, Any]:
    """The "case.created" args of this call (raises contract ValidationErrors for a broken template)."""
    valid = validate_case(case_form(city, book, spec), city)
    at = spec.accepted_at.astimezone(UTC)
    local_day: date = at.astimezone(ZoneInfo(city.timezone)).date()
    number = format_case_number(spec.seat_code, local_day, seq)
    payload: dict[str, Any] = {"number": number, "fields": valid.to_dict(), "respond_by": "", "finish_by": ""}
    if valid.disposition == Disposition.DISPATCH.value:
        dl = compute_deadlines(city.deadline_rules, category=valid.category, urgency=valid.urgency,
                               accepted_at=at)
        payload["respond_by"] = dl.respond_by.isoformat(timespec="seconds")
        payload["finish_by"] = dl.finish_by.isoformat(timespec="seconds")
    routing = routing_record(city, book, model, valid, spec.routing, rng)
    if routing is not None:
        payload["routing"] = routing
    # Form opened to submitted, as the seat records it (helper C adds `handling_seconds` to the seat and the
    # contract in this issue; the created payload keeps extra keys as sent, so it validates here either way).
    payload["handling_seconds"] = spec.handling_seconds
    event = {"id": new_id(rng), "seq": 1, "kind": "created", "payload": payload,
             "recorded_at": at.isoformat(timespec="milliseconds")}
    return {"case_id": new_id(rng), "seat_code": spec.seat_code, "event": event}


def routing_record(city: City, book: ShiftTemplates, model: RoutingModelFacts, valid: ValidCase, kind: str,
                   rng: random.Random) -> dict[str, Any] | None:
    """What the routing panel showed (three top-level suggestions) and what the operator chose, shaped as
    operator_app/routing/record.routing_record makes it."""
    if kind == "none":
        return None
    top = valid.category.split("/", 1)[0]
    others = [label for label in model.labels if label != top]
    rng.shuffle(others)
    if kind == "wrong" or top not in model.labels:  # the model missed; the operator chose the right category
        conf = rng.uniform(0.34, 0.72)
        labels = [others[0], top, others[1]] if top in model.labels else others[:3]
    else:
        conf = rng.uniform(0.38, LOW_CONFIDENCE - 0.01) if kind == "low" else rng.uniform(0.74, 0.98)
        labels = [top, *others[:2]]
    second = rng.uniform(0.45, 0.8) * (1.0 - conf)
    confidences = [conf, second, rng.uniform(0.2, 0.9) * (1.0 - conf - second)]
    government = city.districts[valid.district].government_department if valid.district else ""
    # A suggestion of the right category names the lead unit the operator then finds for the leaf category (the
    # seat's suggestion routes the top level only; the demo keeps "overridden" for real disagreements).
    leads = [book.route(valid.category if label == top else label, government).lead for label in labels]
    shown = [{"category": label, "lead_department": lead, "district": valid.district, "confidence": round(c, 4)}
             for label, lead, c in zip(labels, leads, confidences, strict=True)]
    first = shown[0]
    overridden = top != first["category"] or bool(
        valid.lead_department and first["lead_department"] and valid.lead_department != first["lead_department"])
    return {"model_version": model.version, "suggestions": shown,
            "chosen": {"category": valid.category, "lead_department": valid.lead_department,
                       "district": valid.district},
            "overridden": overridden}


def special_needs_of(kind: str, book: ShiftTemplates, rng: random.Random) -> tuple[tuple[str, ...], str, str]:
    """(special needs, other-need text, note) for a caller profile: "", "elderly", "disabled", "dialect", "other"."""
    if kind == "elderly":
        return (SpecialNeed.ELDERLY.value,), "", rng.choice(book.elderly_notes)
    if kind == "disabled":
        return (SpecialNeed.DISABLED.value,), "", ""
    if kind == "dialect":
        return (SpecialNeed.DIALECT.value,), "", rng.choice(book.dialect_notes)
    if kind == "other":
        return (SpecialNeed.OTHER.value,), rng.choice(book.special_needs_other), ""
    return (), "", ""

"""The demo shift's own texts (resources/demo/shift_templates.toml) and the routing directory's category → lead
department lookup the seats use (resources/city/routing_directory.toml, read here the same way: longest prefix,
"@district" = the government of the case's district)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.city.model import City
from contract.enums import AppealType, CallbackResult

DISTRICT_LEAD = "@district"


@dataclass(frozen=True)
class Template:
    category: str
    appeal_type: str
    weight: int
    content: str
    request: str
    objects: tuple[str, ...]
    urgent: float  # share of urgent cases
    urgent_reason: str
    direct: float  # share answered on the call (直接办结)
    answer: str


@dataclass(frozen=True)
class Hotspot:
    """Repeated complaints about one issue at one place: `cases` of them over the last `days` days."""

    category: str
    district: str
    street: str
    road: str
    compound: str
    object: str
    cases: int
    days: int


@dataclass(frozen=True)
class Route:
    lead: str
    cooperating: tuple[str, ...]


@dataclass(frozen=True)
class ShiftTemplates:
    templates: tuple[Template, ...]
    hotspots: tuple[Hotspot, ...]
    surnames: tuple[str, ...]
    given: tuple[str, ...]
    special_needs_other: tuple[str, ...]
    elderly_notes: tuple[str, ...]
    dialect_notes: tuple[str, ...]
    roads: tuple[str, ...]
    compounds: tuple[str, ...]
    times: tuple[str, ...]
    return_reasons: tuple[str, ...]
    extend_reasons: tuple[str, ...]
    callback_notes: dict[str, str]
    supervise_reason: str
    redispatch_reason: str
    routes: dict[str, Route]  # category prefix -> route (routing directory)
    fallback: Route

    def route(self, category: str, district_government: str) -> Route:
        """Lead and cooperating departments of a category (the longest matching prefix) in a district."""
        parts = category.split("/")
        for n in range(len(parts), 0, -1):
            found = self.routes.get("/".join(parts[:n]))
            if found is not None:
                break
        else:
            found = self.fallback
        lead = district_government if found.lead == DISTRICT_LEAD else found.lead
        return Route(lead, tuple(d for d in found.cooperating if d != lead))


def templates_path(resources: Path) -> Path:
    return resources / "demo" / "shift_templates.toml"


def load_templates(resources: Path, city: City) -> ShiftTemplates:
    """Read and check the templates against the city (categories, districts, streets, departments)."""
    data = _toml(templates_path(resources))
    directory = _toml(resources / "city" / "routing_directory.toml")
    callers, places, dept = data["callers"], data["places"], data["department"]
    templates = tuple(_template(t) for t in data["template"])
    hotspots = tuple(Hotspot(**h) for h in data.get("hotspot", []))
    routes = {r["category"]: Route(r["lead"], tuple(r.get("cooperating", []))) for r in directory.get("route", [])}
    fallback = directory.get("fallback", {})
    book = ShiftTemplates(
        templates=templates, hotspots=hotspots, surnames=tuple(callers["surnames"]), given=tuple(callers["given"]),
        special_needs_other=tuple(callers["special_needs_other"]), elderly_notes=tuple(callers["elderly_notes"]),
        dialect_notes=tuple(callers["dialect_notes"]), roads=tuple(places["roads"]),
        compounds=tuple(places["compounds"]), times=tuple(places["times"]),
        return_reasons=tuple(dept["return_reasons"]), extend_reasons=tuple(dept["extend_reasons"]),
        callback_notes=dict(dept["callback_notes"]), supervise_reason=str(dept["supervise_reason"]),
        redispatch_reason=str(dept["redispatch_reason"]),
        routes=routes, fallback=Route(fallback.get("lead", DISTRICT_LEAD), tuple(fallback.get("cooperating", []))),
    )
    _check(book, city, templates_path(resources))
    return book


def _toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _template(t: dict[str, Any]) -> Template:
    return Template(
        category=t["category"], appeal_type=t["appeal_type"], weight=int(t.get("weight", 1)), content=t["content"],
        request=t.get("request", ""), objects=tuple(t.get("objects", [""])), urgent=float(t.get("urgent", 0.0)),
        urgent_reason=t.get("urgent_reason", ""), direct=float(t.get("direct", 0.0)), answer=t.get("answer", ""),
    )


def _check(book: ShiftTemplates, city: City, path: Path) -> None:
    """A broken template file fails here with the place named, never as a refused demo case later."""
    problems = []
    for t in book.templates:
        if not city.categories.is_leaf(t.category):
            problems.append(f"template {t.category}: not a third-level category of the city")
        if AppealType.parse(t.appeal_type) is None:
            problems.append(f"template {t.category}: unknown appeal_type {t.appeal_type!r}")
        if t.urgent and not t.urgent_reason:
            problems.append(f"template {t.category}: urgent cases need an urgent_reason")
        if t.direct and not t.answer:
            problems.append(f"template {t.category}: cases answered on the call need an answer")
    for h in book.hotspots:
        district = city.district_by_name(h.district)
        if district is None or h.street not in district.streets or not city.categories.is_leaf(h.category):
            problems.append(f"hotspot {h.category} at {h.district}{h.street}: unknown category, district or street")
        elif not any(t.category == h.category for t in book.templates):
            problems.append(f"hotspot {h.category}: no template of that category")
    for route in (*book.routes.values(), book.fallback):
        for dept in (route.lead, *route.cooperating):
            if dept != DISTRICT_LEAD and dept not in city.departments:
                problems.append(f"routing directory: unknown department {dept}")
    if set(book.callback_notes) != {r.value for r in CallbackResult}:
        problems.append("department.callback_notes: one note per CallbackResult code")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))

"""What a scenario a trainer saves must pass beyond its shape: the key's codes exist in the city
(contract/practice/check.py) and no line carries real-looking personal data (contract/practice/scrub.py)."""

from __future__ import annotations

import re
from typing import Any

from central_server.core.errors import Invalid
from contract.city.model import City
from contract.errors import ValidationError, ValidationErrors
from contract.practice.scenario import Scenario

INVALID_SCENARIO = "invalid_scenario"
PERSONAL_DATA = "personal_data"
# Control characters other than tab and line breaks: never typed, and PostgreSQL refuses NUL in text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_characters_in(data: Any, where: str = "") -> str | None:
    """The place of the first text (key or value, at any depth) holding a control character; None when clean."""
    if isinstance(data, str):
        return (where or "text") if _CONTROL.search(data) else None
    items: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            place = f"{where}.{key}" if where else str(key)
            if _CONTROL.search(str(key)):
                return where or "body"
            items.append((place, value))
    elif isinstance(data, list):
        items = [(f"{where}[{i}]", value) for i, value in enumerate(data)]
    for place, value in items:
        if found := control_characters_in(value, place):
            return found
    return None


def describe_errors(errors: list[ValidationError], *, limit: int = 5) -> str:
    """'key.category: 不能为空; lines: …' for the first problems (the fields a trainer fixes)."""
    parts = [f"{e.field}: {e.message}" for e in errors[:limit]]
    more = len(errors) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_scenario(body: object) -> Scenario:
    """Scenario.from_dict; every field problem is a 422 `invalid_scenario` naming the fields."""
    if place := control_characters_in(body):
        raise Invalid(f"{place}: control characters are not allowed", code=INVALID_SCENARIO)
    try:
        return Scenario.from_dict(body)
    except ValidationErrors as exc:
        raise Invalid(describe_errors(exc.errors), code=INVALID_SCENARIO) from None


def check_against_city(scenario: Scenario, city: City) -> None:
    """The key's category, departments, district, enums and article exist (422 `invalid_scenario`)."""
    try:
        from contract.practice.check import check_scenario  # helper "scoring"'s module, merged later
    except ImportError:
        return
    try:
        found = check_scenario(scenario, city)
    except ValidationErrors as exc:
        raise Invalid(describe_errors(exc.errors), code=INVALID_SCENARIO) from None
    if found:
        raise Invalid(describe_errors(list(found)), code=INVALID_SCENARIO)


def refuse_personal_data(scenario: Scenario) -> None:
    """No line or caller note may carry a real-looking name, phone, ID, plate or address (422 `personal_data`);
    the profile's own fictitious name and phone are allowed."""
    try:
        from contract.practice.scrub import find_personal  # helper "scrub"'s module, merged later
    except ImportError:
        return
    allow = tuple(v for v in (scenario.caller.name, scenario.caller.phone) if v)
    texts = [(f"lines[{i}].text", line.text) for i, line in enumerate(scenario.lines)]
    texts.append(("caller.note", scenario.caller.note))
    places = [where for where, text in texts if text and find_personal(text, allow=allow)]
    if places:
        raise Invalid(f"personal data (names, phones, ID numbers, plates, house numbers) in {', '.join(places[:5])}:"
                      " replace them with placeholders such as 【姓名】 and 【电话】", code=PERSONAL_DATA)

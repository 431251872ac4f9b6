"""Load and validate the city's configuration files; every problem names the file, the place and what is wrong."""

from __future__ import annotations

import csv
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Any

from contract.city.model import (
    DEPARTMENT_KINDS,
    CategoryTree,
    City,
    DeadlineRule,
    DeadlineRules,
    Department,
    District,
    Operator,
)
from contract.errors import ConfigError
from contract.roles import ROLE_CODES

_SEAT_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def load_city(resources: Path) -> City:
    """Read <resources>/city/*; raises ConfigError on the first problem found."""
    city_dir = resources / "city"
    meta = _toml(city_dir / "city.toml")
    name = _str(meta, "name", "city.toml", "")
    tz = _str(meta, "timezone", "city.toml", "")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("city.toml", "timezone", f"unknown time zone {tz!r}") from exc
    seat_code = _str(meta, "default_seat_code", "city.toml", "")
    if not _SEAT_CODE.match(seat_code):
        raise ConfigError("city.toml", "default_seat_code", "must be 2-8 capital letters/digits, starting with a letter")
    departments = _departments(city_dir / "departments.toml")
    districts = _districts(city_dir / "districts.toml", departments)
    categories = _categories(city_dir / "categories.csv")
    rules = _deadline_rules(city_dir / "deadline_rules.toml", categories)
    roster = _roster(city_dir / "roster.toml")
    return City(name, tz, seat_code, departments, districts, categories, rules, roster)


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(path.name, "", "file is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path.name, "", f"not valid TOML: {exc}") from exc


def _str(table: dict[str, Any], key: str, file: str, place: str, *, optional: bool = False) -> str:
    value = table.get(key, "" if optional else None)
    where = f"{place}, field '{key}'" if place else f"field '{key}'"
    if value is None:
        raise ConfigError(file, where, "is required")
    if not isinstance(value, str):
        raise ConfigError(file, where, f"must be text, got {type(value).__name__}")
    if not optional and not value.strip():
        raise ConfigError(file, where, "must not be empty")
    return value.strip()


def _entries(data: dict[str, Any], key: str, file: str) -> list[dict[str, Any]]:
    entries = data.get(key)
    if not isinstance(entries, list) or not entries:
        raise ConfigError(file, f"[[{key}]]", "at least one entry is required")
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ConfigError(file, f"{key} #{i}", "must be a table")
    return entries


def _unique(seen: set[str], value: str, file: str, place: str) -> None:
    if value in seen:
        raise ConfigError(file, place, f"duplicate id {value!r}")
    seen.add(value)


def _departments(path: Path) -> dict[str, Department]:
    out: dict[str, Department] = {}
    for i, e in enumerate(_entries(_toml(path), "department", path.name), 1):
        place = f"department #{i}"
        dept = Department(
            id=_str(e, "id", path.name, place),
            name=_str(e, "name", path.name, place),
            kind=_str(e, "kind", path.name, place),
            phone=_str(e, "phone", path.name, place, optional=True),
        )
        if dept.kind not in DEPARTMENT_KINDS:
            raise ConfigError(path.name, f"{place}, field 'kind'", f"must be one of {', '.join(DEPARTMENT_KINDS)}")
        _unique(set(out), dept.id, path.name, f"{place}, field 'id'")
        out[dept.id] = dept
    return out


def _districts(path: Path, departments: dict[str, Department]) -> dict[str, District]:
    out: dict[str, District] = {}
    for i, e in enumerate(_entries(_toml(path), "district", path.name), 1):
        place = f"district #{i}"
        streets = e.get("streets")
        if not isinstance(streets, list) or not streets or not all(isinstance(s, str) and s for s in streets):
            raise ConfigError(path.name, f"{place}, field 'streets'", "must be a non-empty list of names")
        aliases = e.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(path.name, f"{place}, field 'aliases'", "must be a list of names")
        dist = District(
            id=_str(e, "id", path.name, place),
            name=_str(e, "name", path.name, place),
            aliases=tuple(aliases),
            government_department=_str(e, "government_department", path.name, place),
            streets=tuple(streets),
        )
        if dist.government_department not in departments:
            raise ConfigError(
                path.name, f"{place}, field 'government_department'",
                f"department {dist.government_department!r} is not in departments.toml",
            )
        _unique(set(out), dist.id, path.name, f"{place}, field 'id'")
        out[dist.id] = dist
    return out


def _categories(path: Path) -> CategoryTree:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(path.name, "", "file is missing") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path.name, "", "is not UTF-8 text") from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header != ["level1", "level2", "level3"]:
        raise ConfigError(path.name, "line 1", "header must be level1,level2,level3")
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for lineno, row in enumerate(reader, 2):
        if not row:
            continue
        if len(row) != 3 or not all(cell.strip() for cell in row):
            raise ConfigError(path.name, f"line {lineno}", "needs exactly three non-empty cells")
        if any("/" in cell for cell in row):
            raise ConfigError(path.name, f"line {lineno}", "a category name must not contain '/'")
        cells = (row[0].strip(), row[1].strip(), row[2].strip())
        if cells in seen:
            raise ConfigError(path.name, f"line {lineno}", "duplicate row")
        seen.add(cells)
        rows.append(cells)
    if not rows:
        raise ConfigError(path.name, "", "no categories")
    return CategoryTree.from_rows(rows)


def _hours(e: dict[str, Any], key: str, file: str, place: str) -> float:
    value = e.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(file, f"{place}, field '{key}'", "must be a positive number of hours")
    return float(value)


def _rule(e: dict[str, Any], file: str, place: str, category: str, urgency: str) -> DeadlineRule:
    rule = DeadlineRule(
        category=category, urgency=urgency,
        respond_hours=_hours(e, "respond_hours", file, place),
        finish_hours=_hours(e, "finish_hours", file, place),
        note=_str(e, "note", file, place, optional=True),
    )
    if rule.respond_hours > rule.finish_hours:
        raise ConfigError(file, place, "respond_hours must not exceed finish_hours")
    return rule


def _deadline_rules(path: Path, categories: CategoryTree) -> DeadlineRules:
    data = _toml(path)
    for key in ("default", "urgent_default"):
        if not isinstance(data.get(key), dict):
            raise ConfigError(path.name, f"[{key}]", "section is required")
    default = _rule(data["default"], path.name, "[default]", "", "normal")
    urgent = _rule(data["urgent_default"], path.name, "[urgent_default]", "", "urgent")
    rules = []
    for i, e in enumerate(data.get("rule", []), 1):
        place = f"rule #{i}"
        category = _str(e, "category", path.name, place)
        if not categories.has_prefix(category):
            raise ConfigError(path.name, f"{place}, field 'category'", f"{category!r} is not in categories.csv")
        urgency = _str(e, "urgency", path.name, place)
        if urgency not in ("normal", "urgent", "any"):
            raise ConfigError(path.name, f"{place}, field 'urgency'", "must be normal, urgent or any")
        rules.append(_rule(e, path.name, place, category, urgency))
    return DeadlineRules(default, urgent, tuple(rules))


def _roster(path: Path) -> dict[str, Operator]:
    out: dict[str, Operator] = {}
    for i, e in enumerate(_entries(_toml(path), "operator", path.name), 1):
        place = f"operator #{i}"
        op = Operator(
            id=_str(e, "id", path.name, place),
            name=_str(e, "name", path.name, place),
            role=_str(e, "role", path.name, place),
            team=_str(e, "team", path.name, place, optional=True),
        )
        if op.role not in ROLE_CODES:
            raise ConfigError(path.name, f"{place}, field 'role'", f"must be one of {', '.join(ROLE_CODES)}")
        _unique(set(out), op.id, path.name, f"{place}, field 'id'")
        out[op.id] = op
    return out

"""The routing directory (category → lead and cooperating departments) and the district gazetteer.

Both are small TOML files in resources/city, read with tomllib:

    [fallback]
    lead = "@district"              # the government of the case's district
    [[route]]
    category = "城乡建设/物业管理"    # a category path prefix: level1[/level2[/level3]]
    lead = "zjj"
    cooperating = ["cgj"]           # optional

    [[district]]
    id = "a2"; name = "A2区"; aliases = [...]; government_department = "a2gov"; streets = [...]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DirectoryConfigError

DISTRICT_LEAD = "@district"


@dataclass(frozen=True)
class Route:
    """Who handles a category path prefix."""

    category: str
    lead: str
    cooperating: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutingDirectory:
    """Category prefixes mapped to departments, with a fallback lead (usually the district government)."""

    routes: tuple[Route, ...] = ()
    fallback_lead: str = DISTRICT_LEAD
    fallback_cooperating: tuple[str, ...] = ()

    def lookup(self, category: str) -> Route | None:
        """The route with the longest category prefix (whole path segments) matching `category`."""
        parts = _segments(category)
        best: Route | None = None
        best_len = -1
        for route in self.routes:
            prefix = _segments(route.category)
            if prefix and parts[: len(prefix)] == prefix and len(prefix) > best_len:
                best, best_len = route, len(prefix)
        return best


@dataclass(frozen=True)
class District:
    """A district (区/县) with the names people use for it and its government department."""

    id: str
    name: str
    government_department: str | None = None
    aliases: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gazetteer:
    """Finds the district a text mentions: the longest name, alias or street that maps to one district."""

    districts: tuple[District, ...] = ()
    _needles: tuple[tuple[str, District], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, districts: list[District]) -> Gazetteer:
        owners: dict[str, set[str]] = {}
        by_id = {d.id: d for d in districts}
        for d in districts:
            for needle in {d.name, *d.aliases, *d.streets}:
                if needle.strip():
                    owners.setdefault(needle.strip(), set()).add(d.id)
        # A needle shared by two districts says nothing; longest needles are tried first.
        needles = sorted(
            ((n, by_id[next(iter(ids))]) for n, ids in owners.items() if len(ids) == 1),
            key=lambda item: (-len(item[0]), item[0]),
        )
        return cls(tuple(districts), tuple(needles))

    def detect(self, text: str) -> tuple[District, str] | None:
        """The district and the matched words for the longest mention in `text`, or None."""
        if not text:
            return None
        for needle, district in self._needles:
            if needle in text:
                return district, needle
        return None

    def get(self, district_id: str) -> District | None:
        return next((d for d in self.districts if d.id == district_id), None)


def load_directory(path: str | Path) -> RoutingDirectory:
    """Read routing_directory.toml."""
    data = _read_toml(path)
    routes = []
    for i, item in enumerate(_table_list(data, "route", path)):
        category, lead = item.get("category"), item.get("lead")
        if not isinstance(category, str) or not category.strip() or not isinstance(lead, str) or not lead:
            raise DirectoryConfigError(f"{path}: route #{i + 1} needs a category and a lead department.")
        routes.append(
            Route(category.strip(), lead, _str_tuple(item.get("cooperating"), path, f"route #{i + 1}"))
        )
    fallback = data.get("fallback", {})
    if not isinstance(fallback, dict):
        raise DirectoryConfigError(f"{path}: [fallback] must be a table.")
    lead = fallback.get("lead", DISTRICT_LEAD)
    if not isinstance(lead, str) or not lead:
        raise DirectoryConfigError(f'{path}: the fallback lead must be a department id or "{DISTRICT_LEAD}".')
    return RoutingDirectory(tuple(routes), lead, _str_tuple(fallback.get("cooperating"), path, "fallback"))


def load_gazetteer(path: str | Path) -> Gazetteer:
    """Read districts.toml."""
    data = _read_toml(path)
    districts = []
    for i, item in enumerate(_table_list(data, "district", path)):
        district_id, name = item.get("id"), item.get("name")
        if not isinstance(district_id, str) or not district_id or not isinstance(name, str) or not name:
            raise DirectoryConfigError(f"{path}: district #{i + 1} needs an id and a name.")
        gov = item.get("government_department")
        districts.append(
            District(
                id=district_id,
                name=name,
                government_department=gov if isinstance(gov, str) and gov else None,
                aliases=_str_tuple(item.get("aliases"), path, name),
                streets=_str_tuple(item.get("streets"), path, name),
            )
        )
    return Gazetteer.of(districts)


def load_departments(path: str | Path) -> dict[str, str]:
    """Read departments.toml into {department id: name}."""
    data = _read_toml(path)
    out: dict[str, str] = {}
    for item in _table_list(data, "department", path):
        if isinstance(item.get("id"), str):
            out[item["id"]] = str(item.get("name") or item["id"])
    return out


def _read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise DirectoryConfigError(f"The file {path} does not exist.") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DirectoryConfigError(f"The file {path} cannot be read: {exc}") from exc


def _table_list(data: dict[str, Any], key: str, path: str | Path) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise DirectoryConfigError(f"{path}: [[{key}]] entries must be tables.")
    return items


def _str_tuple(value: Any, path: str | Path, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise DirectoryConfigError(f"{path}: {where}: expected a list of strings.")
    return tuple(x for x in value if x)


def _segments(category: str) -> list[str]:
    return [part.strip() for part in category.split("/") if part.strip()]

"""The few facts of the demo city the server needs: departments, time zone and the roster (for seed-demo)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from central_server.core.errors import ServerError


class CityConfigError(ServerError):
    code = "city_config"


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class CityFacts:
    timezone: ZoneInfo
    departments: dict[str, str]  # id -> name
    roster: tuple[RosterEntry, ...]


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise CityConfigError(f"city file is missing: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CityConfigError(f"city file {path.name} is not valid TOML: {exc}") from exc


@lru_cache(maxsize=8)
def load_city_facts(resources: Path) -> CityFacts:
    """Read resources/city/{city,departments,roster}.toml; raises CityConfigError in plain words."""
    city_dir = resources / "city"
    meta = _toml(city_dir / "city.toml")
    tz = ZoneInfo(str(meta.get("timezone", "Asia/Shanghai")))
    raw_departments = _toml(city_dir / "departments.toml").get("department", [])
    departments = {str(d["id"]): str(d.get("name", d["id"])) for d in raw_departments
                   if isinstance(d, dict) and "id" in d}
    raw_roster = _toml(city_dir / "roster.toml").get("operator", [])
    roster = tuple(RosterEntry(str(p["id"]), str(p.get("name", p["id"])), str(p.get("role", "operator")))
                   for p in raw_roster if isinstance(p, dict) and "id" in p)
    return CityFacts(tz, departments, roster)

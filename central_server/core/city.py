"""The demo city as the server sees it: loaded by the contract's loader, the one the seats use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from central_server.core.errors import ServerError
from contract.city.loader import load_city
from contract.city.model import City, Operator
from contract.errors import ConfigError


class CityConfigError(ServerError):
    code = "city_config"


@dataclass(frozen=True)
class CityFacts:
    city: City  # the whole configuration: a pushed case is validated against it
    timezone: ZoneInfo
    departments: dict[str, str]  # id -> name
    roster: tuple[Operator, ...]  # for seed-demo


@lru_cache(maxsize=8)
def load_city_facts(resources: Path) -> CityFacts:
    """Read resources/city/*; raises CityConfigError naming the file, the place and the problem."""
    try:
        city = load_city(resources)
    except ConfigError as exc:
        raise CityConfigError(f"the city configuration in {resources / 'city'} is broken: {exc}") from exc
    departments = {d.id: d.name for d in city.departments.values()}
    return CityFacts(city, ZoneInfo(city.timezone), departments, tuple(city.roster.values()))

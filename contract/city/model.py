"""The city's configuration as plain frozen dataclasses (departments, districts, categories, rules, roster)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEPARTMENT_KINDS = ("department", "utility", "district_government")


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    kind: str
    phone: str = ""


@dataclass(frozen=True)
class District:
    id: str
    name: str
    aliases: tuple[str, ...]
    government_department: str
    streets: tuple[str, ...]


@dataclass(frozen=True)
class DeadlineRule:
    category: str
    urgency: str  # normal | urgent | any
    respond_hours: float
    finish_hours: float
    note: str = ""


@dataclass(frozen=True)
class DeadlineRules:
    default: DeadlineRule
    urgent_default: DeadlineRule
    rules: tuple[DeadlineRule, ...]


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    role: str
    team: str


@dataclass(frozen=True)
class CategoryTree:
    """Three-level category paths, stored as 'level1/level2/level3'."""

    leaves: tuple[str, ...]
    _prefixes: frozenset[str] = field(default=frozenset(), repr=False)

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str]]) -> CategoryTree:
        leaves = tuple("/".join(r) for r in rows)
        prefixes = {r[0] for r in rows} | {f"{r[0]}/{r[1]}" for r in rows} | set(leaves)
        return cls(leaves=leaves, _prefixes=frozenset(prefixes))

    def is_leaf(self, path: str) -> bool:
        return path in self._prefixes and path.count("/") == 2

    def has_prefix(self, path: str) -> bool:
        return path in self._prefixes

    def top_level(self) -> list[str]:
        seen: dict[str, None] = {}
        for leaf in self.leaves:
            seen.setdefault(leaf.split("/", 1)[0], None)
        return list(seen)


@dataclass(frozen=True)
class City:
    name: str
    timezone: str
    default_seat_code: str
    departments: dict[str, Department]
    districts: dict[str, District]
    categories: CategoryTree
    deadline_rules: DeadlineRules
    roster: dict[str, Operator]

    def department_by_name(self, name: str) -> Department | None:
        for dept in self.departments.values():
            if name in (dept.id, dept.name):
                return dept
        return None

    def district_by_name(self, name: str) -> District | None:
        for dist in self.districts.values():
            if name in (dist.id, dist.name) or name in dist.aliases:
                return dist
        return None

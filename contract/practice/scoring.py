"""Scoring a practice attempt against its scenario's answer key, skill by skill (seat and server use this one
function: the seat shows the score at once, the server recomputes it from the answers it receives and keeps its own).

The attempt is the raw form (CaseInput) the trainee submitted, read the way the form's validation reads it:
departments and districts by name or id (resolved through the city), appeal type, urgency, disposition and special
needs by code or Chinese label. Each skill is right or wrong by one plain rule:

- category: right when the answer agrees with the key down to the key's depth (a key "环境保护" is matched by any
  answer under 环境保护); for a three-level key, an answer right only to level 1 or 2 earns the `[partial]` share
  of the points (still marked wrong).
- lead / cooperating departments: the lead's id; the cooperating ones as a set (order does not matter). Asked only
  when the key dispatches to a lead department.
- district; street: asked when the key has them; the street is right when district and street both are.
- appeal type, urgency, disposition: the code; asked when the key has one.
- special needs: the set of codes (an empty key means the caller has none, and ticking one is wrong).
- required fields: every field the key lists filled in; points in proportion to the share filled.
- citation: asked only for 直接办结 with a knowledge-base article; right when that article was cited.
- time: within the time limit (an exam's own limit overrides the scenario's).

A skill the key does not ask about is left out of the score, and the total is the points earned over the weights
of the skills asked (so the asked skills make up 100 between them). Weights come from resources/training/scoring.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.case_fields import FIELD_LABELS, CaseInput
from contract.city.model import City
from contract.enums import AppealType, Disposition, LabeledEnum, SpecialNeed, Urgency
from contract.practice.scenario import Scenario

SKILLS = ("category", "lead_department", "cooperating_departments", "district", "street", "appeal_type", "urgency",
          "special_needs", "disposition", "required_fields", "citation", "time")
SKILL_LABELS = {
    "category": "问题分类", "lead_department": "主办单位", "cooperating_departments": "协办单位", "district": "所属区县",
    "street": "街道", "appeal_type": "诉求类型", "urgency": "紧急程度", "special_needs": "特殊群体",
    "disposition": "处理方式", "required_fields": "必填信息", "citation": "引用知识库", "time": "用时",
}
PARTIAL_KEYS = ("category_level1", "category_level2")
MAX_WEIGHT = 1000.0


@dataclass(frozen=True)
class Weights:
    skills: Mapping[str, float]
    category_level1: float = 0.4
    category_level2: float = 0.7


@dataclass(frozen=True)
class FieldScore:
    """One skill of one attempt. `expected`/`given` are codes as stored (category path, department ids joined by
    "、", district id, enum codes); the screens turn them into names. A given department or district the city does
    not know is kept as the text typed. `weight` is the skill's weight from scoring.toml and `points` what the
    attempt earned of it (weight × share)."""

    skill: str
    weight: float
    points: float
    right: bool
    expected: str
    given: str

    @property
    def label(self) -> str:
        return SKILL_LABELS[self.skill]


@dataclass(frozen=True)
class Score:
    total: float  # 0..100
    fields: tuple[FieldScore, ...]
    seconds: float
    over_time: bool

    def field(self, skill: str) -> FieldScore | None:
        return next((f for f in self.fields if f.skill == skill), None)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "seconds": self.seconds, "over_time": self.over_time,
                "fields": [{"skill": f.skill, "weight": f.weight, "points": f.points, "right": f.right,
                            "expected": f.expected, "given": f.given} for f in self.fields]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        return cls(total=float(data["total"]), seconds=float(data["seconds"]), over_time=bool(data["over_time"]),
                   fields=tuple(FieldScore(str(f["skill"]), float(f["weight"]), float(f["points"]), bool(f["right"]),
                                           str(f["expected"]), str(f["given"])) for f in data["fields"]))


def load_weights(resources: Path) -> Weights:
    """resources/training/scoring.toml. Every skill must have a weight (a number >= 0; 0 shows the skill without
    counting it); a missing or broken file, a missing, unknown or wrong key raises ValueError naming file and key."""
    path = resources / "training" / "scoring.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    unknown_tables = set(data) - {"weights", "partial"}
    if unknown_tables:
        raise ValueError(f"{path}: unknown table(s) {', '.join(sorted(unknown_tables))} (expected [weights], [partial])")
    raw = data.get("weights")
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: weights: a [weights] table is required")
    unknown = set(raw) - set(SKILLS)
    if unknown:
        raise ValueError(f"{path}: weights.{sorted(unknown)[0]}: unknown skill (known: {', '.join(SKILLS)})")
    skills = {skill: _number(path, "weights", skill, raw, high=MAX_WEIGHT) for skill in SKILLS}
    if not any(skills.values()):
        raise ValueError(f"{path}: weights: at least one skill must weigh more than 0")
    partial = data.get("partial", {})
    if not isinstance(partial, dict):
        raise ValueError(f"{path}: partial: must be a table")
    unknown = set(partial) - set(PARTIAL_KEYS)
    if unknown:
        raise ValueError(f"{path}: partial.{sorted(unknown)[0]}: unknown key (known: {', '.join(PARTIAL_KEYS)})")
    level1 = _number(path, "partial", "category_level1", partial, high=1.0, default=0.4)
    level2 = _number(path, "partial", "category_level2", partial, high=1.0, default=0.7)
    if level1 > level2:
        raise ValueError(f"{path}: partial.category_level1 must not exceed partial.category_level2")
    return Weights(skills, level1, level2)


def _number(path: Path, table: str, key: str, data: Mapping[str, Any], *, high: float,
            default: float | None = None) -> float:
    if key not in data:
        if default is None:
            raise ValueError(f"{path}: {table}.{key} is missing")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise ValueError(f"{path}: {table}.{key} must be a number from 0 to {high:g} (found {value!r})")
    return float(value)


def score_attempt(scenario: Scenario, answers: CaseInput, city: City, *, seconds: float, weights: Weights,
                  cited: Iterable[str] = (), time_limit_seconds: int | None = None) -> Score:
    """Score one attempt (see the module's rules). `time_limit_seconds`, when given, is an exam's own limit and
    overrides the scenario's."""
    key = scenario.key
    fields: list[FieldScore] = []

    def add(skill: str, right: bool, expected: str, given: str, share: float | None = None) -> None:
        weight = weights.skills.get(skill, 0.0)
        points = weight * (share if share is not None else (1.0 if right else 0.0))
        fields.append(FieldScore(skill, weight, round(points, 4), right, expected, given))

    add("category", *category_match(key.category, answers.category, weights))
    if key.disposition == Disposition.DISPATCH.value and key.lead_department:
        want_lead, lead = _department(city, key.lead_department), _department(city, answers.lead_department)
        add("lead_department", lead == want_lead, want_lead, lead)
        want_coop = sorted({_department(city, d) for d in key.cooperating_departments} - {""})
        given_coop = sorted({_department(city, d) for d in answers.cooperating_departments} - {""})
        add("cooperating_departments", given_coop == want_coop, "、".join(want_coop), "、".join(given_coop))
    if key.district:
        want_district, district = _district(city, key.district), _district(city, answers.district)
        add("district", district == want_district, want_district, district)
        if key.street:
            street = answers.street.strip()
            add("street", district == want_district and street == key.street.strip(), key.street.strip(), street)
    for skill, enum_cls in (("appeal_type", AppealType), ("urgency", Urgency)):
        _add_code(add, skill, enum_cls, getattr(key, skill), getattr(answers, skill))
    want_needs, got_needs = _codes(SpecialNeed, key.special_needs), _codes(SpecialNeed, answers.special_needs)
    add("special_needs", want_needs == got_needs, "、".join(want_needs), "、".join(got_needs))
    _add_code(add, "disposition", Disposition, key.disposition, answers.disposition)
    if key.required_fields:
        missing = [f for f in key.required_fields if not str(getattr(answers, f, "")).strip()]
        add("required_fields", not missing, "、".join(FIELD_LABELS.get(f, f) for f in key.required_fields),
            "缺：" + "、".join(FIELD_LABELS.get(f, f) for f in missing) if missing else "齐全",
            share=1 - len(missing) / len(key.required_fields))
    if key.kb_article and key.disposition == Disposition.DIRECT.value:
        cited_ids = sorted({c.strip() for c in cited} - {""})
        add("citation", key.kb_article in cited_ids, key.kb_article, "、".join(cited_ids))
    limit = scenario.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    over_time = seconds > limit
    add("time", not over_time, str(limit), str(round(seconds)))
    total_weight = sum(f.weight for f in fields)
    total = 100.0 * sum(f.points for f in fields) / total_weight if total_weight else 0.0
    return Score(round(total, 2), tuple(fields), float(seconds), over_time)


def category_path(text: str) -> str:
    """A category as the form holds it, in its canonical form: segments trimmed, empty ones dropped."""
    return "/".join(part.strip() for part in text.split("/") if part.strip())


def category_match(expected: str, given: str, weights: Weights) -> tuple[bool, str, str, float]:
    """(right, expected, given, share of the points): right when the answer agrees with the key to the key's depth;
    for a three-level key, an answer sharing only level 1 or levels 1-2 earns the partial share."""
    expected, given = category_path(expected), category_path(given)
    want, got = expected.split("/"), given.split("/") if given else []
    if got[:len(want)] == want:
        return True, expected, given, 1.0
    shared = 0
    for a, b in zip(want, got, strict=False):
        if a != b:
            break
        shared += 1
    share = 0.0
    if len(want) == 3:
        share = {1: weights.category_level1, 2: weights.category_level2}.get(shared, 0.0)
    return False, expected, given, share


def _add_code(add: Callable[[str, bool, str, str], None], skill: str, enum_cls: type[LabeledEnum], expected: str, given: str) -> None:
    want = _code(enum_cls, expected)
    if want:
        got = _code(enum_cls, given)
        add(skill, got == want, want, got)


def _code(enum_cls: type[LabeledEnum], text: str) -> str:
    """The code of a code or Chinese label; the text itself when it is neither (it can then match nothing)."""
    text = text.strip()
    member = enum_cls.parse(text)
    return str(member.value) if member is not None else text


def _codes(enum_cls: type[LabeledEnum], texts: Iterable[str]) -> list[str]:
    return sorted({_code(enum_cls, t) for t in texts} - {""})


def _department(city: City, text: str) -> str:
    """The id of a department named by name or id; the text when the city has no such department."""
    text = text.strip()
    dept = city.department_by_name(text) if text else None
    return dept.id if dept else text


def _district(city: City, text: str) -> str:
    text = text.strip()
    district = city.district_by_name(text) if text else None
    return district.id if district else text

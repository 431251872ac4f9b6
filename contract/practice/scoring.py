"""Scoring a practice attempt against its scenario's answer key, field by field (seat and server use this one
function: the seat shows the score at once, the server recomputes it from the answers it receives and keeps its own).

The attempt is the raw form (CaseInput) the trainee submitted; names or ids of departments and districts are
resolved through the city as the form's validation does. Weights come from resources/training/scoring.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.case_fields import FIELD_LABELS, CaseInput
from contract.city.model import City
from contract.practice.scenario import Scenario

SKILLS = ("category", "lead_department", "cooperating_departments", "district", "street", "appeal_type", "urgency",
          "special_needs", "disposition", "required_fields", "citation", "time")
SKILL_LABELS = {
    "category": "问题分类", "lead_department": "主办单位", "cooperating_departments": "协办单位", "district": "所属区县",
    "street": "街道", "appeal_type": "诉求类型", "urgency": "紧急程度", "special_needs": "特殊群体",
    "disposition": "处理方式", "required_fields": "必填信息", "citation": "引用知识库", "time": "用时",
}


@dataclass(frozen=True)
class Weights:
    skills: Mapping[str, float]
    category_level1: float = 0.4
    category_level2: float = 0.7


@dataclass(frozen=True)
class FieldScore:
    """One skill of one attempt. `expected`/`given` are codes as stored (category path, department ids joined by
    "、", district id, enum codes); the screens turn them into names."""

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
    """resources/training/scoring.toml; a missing or broken file raises ValueError naming the file and key."""
    path = resources / "training" / "scoring.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    raw = data.get("weights", {})
    skills: dict[str, float] = {}
    for skill in SKILLS:
        value = raw.get(skill, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{path}: weights.{skill} must be a number >= 0")
        skills[skill] = float(value)
    unknown = set(raw) - set(SKILLS)
    if unknown:
        raise ValueError(f"{path}: unknown weights {', '.join(sorted(unknown))}")
    partial = data.get("partial", {})
    return Weights(skills, float(partial.get("category_level1", 0.4)), float(partial.get("category_level2", 0.7)))


def score_attempt(scenario: Scenario, answers: CaseInput, city: City, *, seconds: float, weights: Weights,
                  cited: Iterable[str] = ()) -> Score:
    key = scenario.key
    fields: list[FieldScore] = []

    def add(skill: str, right: bool, expected: str, given: str, share: float | None = None) -> None:
        weight = weights.skills.get(skill, 0.0)
        points = weight * (share if share is not None else (1.0 if right else 0.0))
        fields.append(FieldScore(skill, weight, round(points, 4), right, expected, given))

    given_category = answers.category.strip().strip("/")
    add("category", *_category(key.category, given_category, weights))
    dispatch = key.disposition == "dispatch"
    if dispatch and key.lead_department:
        lead = _department_id(city, answers.lead_department)
        add("lead_department", lead == key.lead_department, key.lead_department, lead)
        given_coop = sorted({_department_id(city, d) for d in answers.cooperating_departments} - {""})
        add("cooperating_departments", given_coop == sorted(key.cooperating_departments),
            "、".join(sorted(key.cooperating_departments)), "、".join(given_coop))
    if key.district:
        district = city.district_by_name(answers.district.strip()) if answers.district.strip() else None
        given_district = district.id if district else ""
        add("district", given_district == key.district, key.district, given_district)
        if key.street:
            add("street", answers.street.strip() == key.street, key.street, answers.street.strip())
    add("appeal_type", answers.appeal_type == key.appeal_type, key.appeal_type, answers.appeal_type)
    add("urgency", answers.urgency == key.urgency, key.urgency, answers.urgency)
    want_needs, got_needs = sorted(key.special_needs), sorted(set(answers.special_needs))
    add("special_needs", want_needs == got_needs, "、".join(want_needs), "、".join(got_needs))
    add("disposition", answers.disposition == key.disposition, key.disposition, answers.disposition)
    if key.required_fields:
        missing = [f for f in key.required_fields if not str(getattr(answers, f, "")).strip()]
        add("required_fields", not missing, "、".join(FIELD_LABELS.get(f, f) for f in key.required_fields),
            "缺：" + "、".join(FIELD_LABELS.get(f, f) for f in missing) if missing else "齐全",
            share=1 - len(missing) / len(key.required_fields))
    if key.kb_article and key.disposition == "direct":
        cited_ids = sorted(set(cited))
        add("citation", key.kb_article in cited_ids, key.kb_article, "、".join(cited_ids))
    over_time = seconds > scenario.time_limit_seconds
    add("time", not over_time, str(scenario.time_limit_seconds), str(round(seconds)))
    total_weight = sum(f.weight for f in fields)
    total = 100.0 * sum(f.points for f in fields) / total_weight if total_weight else 0.0
    return Score(round(total, 2), tuple(fields), float(seconds), over_time)


def _category(expected: str, given: str, weights: Weights) -> tuple[bool, str, str, float]:
    """Right when the answer agrees with the key to the key's depth; partly right at a shallower shared level."""
    want, got = expected.split("/"), given.split("/") if given else []
    right = got[:len(want)] == want
    if right:
        return True, expected, given, 1.0
    shared = 0
    for a, b in zip(want, got, strict=False):
        if a != b:
            break
        shared += 1
    share = {0: 0.0, 1: weights.category_level1, 2: weights.category_level2}.get(shared, 0.0) if len(want) == 3 \
        else 0.0
    return False, expected, given, share


def _department_id(city: City, text: str) -> str:
    dept = city.department_by_name(text.strip()) if text.strip() else None
    return dept.id if dept else ""

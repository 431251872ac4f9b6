"""Checking a scenario's answer key (and caller profile) against the city's configuration.

`Scenario.from_dict` checks shape and types; this checks that every code the key names exists here: the category is
a path of the city's tree (level 1, 2 or 3), the departments, district and street exist, and the enum fields hold
contract.enums codes. The server runs it on every scenario a trainer saves, the trainer's editor before saving.
Messages are plain Chinese for the trainer; fields are named like Scenario.from_dict's ("key.lead_department").
"""

from __future__ import annotations

from typing import Protocol

from contract.city.model import City
from contract.enums import AppealType, Disposition, LabeledEnum, SpecialNeed, Urgency
from contract.errors import ValidationError
from contract.practice.scenario import REQUIRABLE_FIELDS, Scenario


def check_scenario(scenario: Scenario, city: City) -> list[ValidationError]:
    """Every problem found, in a stable order (empty when the scenario can be played and scored in this city)."""
    key = scenario.key
    errors: list[ValidationError] = []

    def bad(field: str, message: str, code: str = "choice") -> None:
        errors.append(ValidationError(field, message, code=code))

    _check_category(key.category, city, bad)
    _check_code("key.appeal_type", "诉求类型", AppealType, key.appeal_type, bad)
    _check_code("key.disposition", "处理方式", Disposition, key.disposition, bad)
    _check_code("key.urgency", "紧急程度", Urgency, key.urgency, bad)
    for field, needs in (("key.special_needs", key.special_needs), ("caller.special_needs", scenario.caller.special_needs)):
        for need in needs:
            _check_code(field, "特殊群体", SpecialNeed, need, bad)
        if len(set(needs)) != len(needs):
            bad(field, "特殊群体有重复项", "duplicate")
    if key.disposition == Disposition.DISPATCH.value:
        _check_dispatch(key.lead_department, key.cooperating_departments, city, bad)
    elif key.disposition == Disposition.DIRECT.value:
        if key.lead_department:
            bad("key.lead_department", "直接办结的答案不派单，请清空主办单位", "direct")
        if key.cooperating_departments:
            bad("key.cooperating_departments", "直接办结的答案不派单，请清空协办单位", "direct")
    if key.kb_article and key.disposition != Disposition.DIRECT.value:
        bad("key.kb_article", "只有直接办结的答案才需要引用知识库文章，请清空或改为直接办结", "not_direct")
    _check_place(key.district, key.street, city, bad)
    for name in key.required_fields:
        if name not in REQUIRABLE_FIELDS:
            bad("key.required_fields", f"“{name}”不是可要求填写的字段")
    if len(set(key.required_fields)) != len(key.required_fields):
        bad("key.required_fields", "必填信息有重复项", "duplicate")
    return errors


def _check_category(path: str, city: City, bad: _Bad) -> None:
    if not path:
        bad("key.category", "请填写问题分类", "required")
        return
    if path.count("/") > 2 or not city.categories.has_prefix(path):
        bad("key.category", f"问题分类“{path}”不在本市分类目录中（应为一级、二级或三级分类，用“/”分隔）")


def _check_code(field: str, label: str, enum_cls: type[LabeledEnum], value: str, bad: _Bad) -> None:
    if not value:
        bad(field, f"请填写{label}", "required")
        return
    codes = [str(m.value) for m in enum_cls]
    if value in codes:
        return
    member = enum_cls.parse(value)
    hint = f"请写代码“{member.value}”" if member is not None else "可选：" + "、".join(
        f"{m.value}（{m.label}）" for m in enum_cls)
    bad(field, f"{label}“{value}”不是可用的代码，{hint}")


def _check_dispatch(lead: str, cooperating: tuple[str, ...], city: City, bad: _Bad) -> None:
    if not lead:
        bad("key.lead_department", "派单的答案须有一个主办单位", "required")
    elif lead not in city.departments:
        bad("key.lead_department", _unknown_department(lead, city))
    seen: set[str] = set()
    for dept in cooperating:
        if dept not in city.departments:
            bad("key.cooperating_departments", _unknown_department(dept, city))
        elif dept == lead:
            bad("key.cooperating_departments", "协办单位不能与主办单位相同", "duplicate")
        elif dept in seen:
            bad("key.cooperating_departments", f"协办单位“{city.departments[dept].name}”重复", "duplicate")
        seen.add(dept)


def _unknown_department(text: str, city: City) -> str:
    dept = city.department_by_name(text)
    if dept is not None:
        return f"请用单位代码“{dept.id}”代替名称“{text}”"
    return f"“{text}”不是本市的承办单位"


def _check_place(district_id: str, street: str, city: City, bad: _Bad) -> None:
    if not district_id:
        if street:
            bad("key.district", "填写街道前请先填写区县", "required")
        return
    district = city.districts.get(district_id)
    if district is None:
        named = city.district_by_name(district_id)
        bad("key.district", f"请用区县代码“{named.id}”代替名称“{district_id}”" if named is not None
            else f"区县“{district_id}”不在本市行政区划中")
        return
    if street and street not in district.streets:
        bad("key.street", f"{district.name}没有“{street}”")


class _Bad(Protocol):
    """What the checks report a problem to: `bad(field, message, code)`."""

    def __call__(self, field: str, message: str, code: str = ..., /) -> None: ...

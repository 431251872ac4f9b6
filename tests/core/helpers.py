"""Valid case forms for tests, built from the demo city's own configuration."""

from __future__ import annotations

from typing import Any

from contract.case_fields import CaseInput
from contract.city.model import City


def dispatch_form(city: City, **overrides: Any) -> CaseInput:
    district = next(iter(city.districts.values()))
    lead = next(d for d in city.departments.values() if d.kind == "department")
    values: dict[str, Any] = dict(
        caller_name="张三", phone="13800138000", appeal_type="complaint", category=city.categories.leaves[0],
        district=district.name, street=district.streets[0], address="幸福小区3栋", content="楼上夜间装修噪音扰民",
        request="要求停止夜间施工", disposition="dispatch", lead_department=lead.name,
    )
    values.update(overrides)
    return CaseInput(**values)


def direct_form(city: City, **overrides: Any) -> CaseInput:
    values: dict[str, Any] = dict(
        phone="0731-84561234", appeal_type="consult", category=city.categories.leaves[1],
        content="咨询医保异地报销需要哪些材料", disposition="direct", answer="已告知所需材料和办理地点",
    )
    values.update(overrides)
    return CaseInput(**values)

"""How a quality review and its case go on the wire: personal data masked (caller name and phones; no address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from central_server.core.city import CityFacts
from central_server.db.models import Case, QualityReview
from contract.enums import CaseStatus, Urgency
from contract.phone import mask_name, mask_phone


def _time(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when.replace(tzinfo=UTC) if when.tzinfo is None else when).isoformat()


def _label(enum: Any, code: str) -> str:
    member = enum.parse(code)
    return member.label if member is not None else code


@dataclass(frozen=True)
class Names:
    """The city's names for the codes a case holds (department and district ids)."""

    departments: dict[str, str]
    districts: dict[str, str]

    @classmethod
    def of(cls, facts: CityFacts) -> Names:
        return cls(facts.departments, {d.id: d.name for d in facts.city.districts.values()})


def case_view(case: Case, names: Names) -> dict[str, Any]:
    """The case as the lead scores it: its fields as the intake form holds them, names and phones masked."""
    f = case.fields
    departments = names.departments
    confidential = bool(f.get("confidential"))
    return {
        "number": case.number, "status": case.status, "status_label": _label(CaseStatus, case.status),
        "accepted_at": case.created_at, "category": f.get("category", ""), "district": f.get("district", ""),
        "district_name": names.districts.get(f.get("district", ""), f.get("district", "")),
        "street": f.get("street", ""), "channel": f.get("channel", ""), "appeal_type": f.get("appeal_type", ""),
        "urgency": f.get("urgency", ""), "urgency_label": _label(Urgency, str(f.get("urgency", ""))),
        "special_needs": list(f.get("special_needs") or []), "disposition": f.get("disposition", ""),
        "lead_department": case.lead_department,
        "lead_department_name": departments.get(case.lead_department, case.lead_department),
        "caller_masked": "***" if confidential and f.get("caller_name") else mask_name(f.get("caller_name", "")),
        "phone_masked": mask_phone(f.get("phone", "")), "content": f.get("content", ""),
        "request": f.get("request", ""), "answer": f.get("answer", ""),
    }


def review_json(review: QualityReview, case: Case, people: dict[str, str], names: Names) -> dict[str, Any]:
    return {
        "id": review.id, "status": review.status, "how": review.how, "operator_id": review.operator_id,
        "operator_name": people.get(review.operator_id, review.operator_id), "sampled_by": review.sampled_by,
        "sampled_at": _time(review.sampled_at), "scores": review.scores, "comment": review.comment,
        "total": review.total, "sheet": review.sheet, "scored_by": review.scored_by,
        "scored_by_name": people.get(review.scored_by or "", review.scored_by),
        "scored_at": _time(review.scored_at), "case": case_view(case, names),
    }

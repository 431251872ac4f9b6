"""What the operator was shown and what they chose: recorded with each case (no numpy needed here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .suggest import Suggestion


@dataclass(frozen=True)
class RoutingSnapshot:
    """What the operator was shown when submitting: recorded with the case as data for the next model."""

    model_version: str
    suggestions: tuple[Suggestion, ...]
    leaves: tuple[Suggestion, ...] = ()  # leaf categories ranked by meaning, when the case vector came in time


def routing_record(
    snapshot: RoutingSnapshot, *, category: str, lead_department: str, district: str
) -> dict[str, Any]:
    """The suggestion, the choice and the model version; `overridden` when the operator chose otherwise."""
    shown = [
        {
            "category": s.category,
            "lead_department": s.lead_department_id or "",
            "district": s.district_id or "",
            "confidence": s.confidence,
        }
        for s in snapshot.suggestions
    ]
    record: dict[str, Any] = {"model_version": snapshot.model_version, "suggestions": shown}
    if snapshot.leaves:
        record["leaves"] = [
            {"category": s.category, "lead_department": s.lead_department_id or "", "similarity": s.similarity}
            for s in snapshot.leaves
        ]
    return rechosen(record, category=category, lead_department=lead_department, district=district)


def rechosen(record: dict[str, Any], *, category: str, lead_department: str, district: str) -> dict[str, Any]:
    """The record with this choice (a case corrected after it was rejected: same suggestions, new choice).
    `overridden`: the choice is neither the first top-level suggestion nor, when leaves were shown, the first leaf
    (the top level and, where both are set, the lead unit compared; a leaf has its own route)."""
    top = category.split("/", 1)[0]
    firsts = [shown[0] for shown in (record.get("suggestions"), record.get("leaves")) if shown]
    overridden = bool(firsts) and not any(
        top == first["category"].split("/", 1)[0]
        and not (lead_department and first["lead_department"] and lead_department != first["lead_department"])
        for first in firsts
    )
    return {
        **record,
        "chosen": {"category": category, "lead_department": lead_department, "district": district},
        "overridden": overridden,
    }

"""Routing suggestions: category → lead/cooperating departments via the directory, plus the district."""

from __future__ import annotations

from dataclasses import dataclass

from .directory import DISTRICT_LEAD, District, Gazetteer, RoutingDirectory
from .model import RoutingModel


@dataclass(frozen=True)
class Suggestion:
    """One routing suggestion; `lead_department_id` is None when the fallback district is unknown."""

    category: str
    lead_department_id: str | None
    cooperating_ids: tuple[str, ...]
    district_id: str | None
    confidence: float
    reasons: tuple[str, ...]
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class DistrictMatch:
    """The district found for a case and where it was found ("address" or "content")."""

    district: District
    words: str
    source: str


def detect_district(gazetteer: Gazetteer, *, address: str, title: str, body: str) -> DistrictMatch | None:
    """The district named in the address, else in the title and body (longest name or alias wins)."""
    for source, text in (("address", address), ("content", f"{title}\n{body}")):
        found = gazetteer.detect(text or "")
        if found:
            return DistrictMatch(found[0], found[1], source)
    return None


def suggest(
    model: RoutingModel,
    directory: RoutingDirectory,
    gazetteer: Gazetteer,
    *,
    title: str,
    body: str,
    address: str,
    top_k: int = 3,
) -> list[Suggestion]:
    """Top-k suggestions (best first); [] when the text gives the model nothing to go on. Pure CPU, no I/O."""
    title, body, address = _text(title), _text(body), _text(address)
    predictions = model.predict(title, body, top_k=top_k)
    if not predictions:
        return []
    match = detect_district(gazetteer, address=address, title=title, body=body)
    district_reason = (
        f"区县：{match.district.name}（{'地址' if match.source == 'address' else '内容'}中的“{match.words}”）"
        if match
        else "区县：未识别"
    )
    out = []
    for prediction in predictions:
        reasons: list[str] = []
        if prediction.terms:
            reasons.append("关键词：" + "、".join(prediction.terms))
        route = directory.lookup(prediction.label)
        lead: str | None = route.lead if route else directory.fallback_lead
        cooperating = route.cooperating if route else directory.fallback_cooperating
        if route is None:
            reasons.append("派单目录无此类别：属地兜底")
        if lead == DISTRICT_LEAD:
            lead = match.district.government_department if match else None
            if route is not None:
                reasons.append("派单目录：由属地政府主办")
            if lead is None:
                reasons.append("未识别区县，请手动选择主办单位")
        reasons.append(district_reason)
        out.append(
            Suggestion(
                category=prediction.label,
                lead_department_id=lead,
                cooperating_ids=tuple(c for c in cooperating if c != DISTRICT_LEAD and c != lead),
                district_id=match.district.id if match else None,
                confidence=round(prediction.confidence, 4),
                reasons=tuple(reasons),
                terms=prediction.terms,
            )
        )
    return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""

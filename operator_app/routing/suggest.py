"""Routing suggestions: category → lead/cooperating departments via the directory, plus the district; the same for
the leaf categories ranked by meaning (leaves.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .directory import DISTRICT_LEAD, District, Gazetteer, RoutingDirectory
from .leaves import LeafMatch
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
    similarity: float | None = None  # a leaf's cosine with the case vector; None for a top-level suggestion


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
        lead, cooperating, route_reasons = _route(directory, prediction.label, match)
        out.append(
            Suggestion(
                category=prediction.label,
                lead_department_id=lead,
                cooperating_ids=cooperating,
                district_id=match.district.id if match else None,
                confidence=round(prediction.confidence, 4),
                reasons=(*reasons, *route_reasons, district_reason),
                terms=prediction.terms,
            )
        )
    return out


def leaf_suggestions(
    directory: RoutingDirectory,
    gazetteer: Gazetteer,
    branch: Sequence[Suggestion],
    matches: Sequence[LeafMatch],
    *,
    address: str,
    content: str,
) -> list[Suggestion]:
    """The leaves (best first) as suggestions: routed through the directory by their whole path (a leaf may have
    its own route), with their branch's confidence, terms and district."""
    match = detect_district(gazetteer, address=_text(address), title="", body=_text(content))
    by_top = {s.category: s for s in branch}
    out = []
    for leaf in matches:
        top = by_top.get(leaf.path.split("/", 1)[0])
        if top is None:
            continue
        lead, cooperating, route_reasons = _route(directory, leaf.path, match)
        out.append(replace(top, category=leaf.path, lead_department_id=lead, cooperating_ids=cooperating,
                           reasons=(*(r for r in top.reasons if r.startswith("关键词")), *route_reasons,
                                    *(r for r in top.reasons if r.startswith("区县"))),
                           similarity=leaf.score))
    return out


def _route(
    directory: RoutingDirectory, category: str, match: DistrictMatch | None
) -> tuple[str | None, tuple[str, ...], list[str]]:
    """Lead, cooperating units and the reasons for them: the directory's longest matching route, the district's
    government where the route says so (or where there is no route: 属地兜底)."""
    reasons: list[str] = []
    route = directory.lookup(category)
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
    return lead, tuple(c for c in cooperating if c != DISTRICT_LEAD and c != lead), reasons


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""

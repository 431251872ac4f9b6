"""Same-issue candidates (重复件/并单): while an operator types a new case, the open cases of the last 30 days across
the city that are probably about the same thing — the same caller's phone, or the same place with similar content.

The place and the content are compared exactly as the hot spots group cases (services/hotspot_place.py and
hotspot_text.py, through hotspot_assign.topic_of): a case's place key is stored in case_topics when it arrives, so
the candidates of a place are one indexed read; the content of each is then compared by character bigrams, and by
meaning where the case has its sentence vector (services/case_meaning.py): the typed content's vector is encoded on
the request only when a candidate has one, and the similarity is then the hot spots' blend of both
(`hotspot_text.blend`). Cases without a vector yet, and a server without the encoder, keep the bigram score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import CallerPhone, Case, CaseTopic
from central_server.services.case_meaning import Probe, calibrated, encode_probe, vectors_of
from central_server.services.hotspot_assign import admin_names, config_for, topic_of
from central_server.services.hotspot_config import HotspotConfig
from central_server.services.hotspot_text import blend, cosine, title_of
from contract.city.model import City
from contract.enums import CaseStatus
from contract.phone import PhoneFormatError, mask_phone, normalize_phone

WINDOW = timedelta(days=30)
LIMIT = 5
PLACE_SCAN = 200  # newest cases of one place read per query: a broad place (a whole district) holds thousands
PHONE_SCAN = 50
SAME_PHONE = "same_phone"  # 同一来电号码
SAME_PLACE = "same_place"  # 同一地点且内容相近
REASON_WORDS = {SAME_PHONE: "同一来电号码", SAME_PLACE: "同一地点且内容相近"}


@dataclass(frozen=True)
class Candidate:
    number: str
    status: str
    category: str
    accepted_at: str  # the seat's acceptance time (ISO)
    reasons: tuple[str, ...]  # SAME_PHONE and/or SAME_PLACE, in that order
    phone_masked: str
    title: str  # first sentence of the content, personal data masked (hotspot_text.title_of)
    score: float


def find_same_issue(session: Session, *, phone: str, content: str, district: str, address: str,
                    city: City | None, now: datetime | None = None, limit: int = LIMIT,
                    probe: Probe = encode_probe) -> list[Candidate]:
    """The best `limit` open candidates: same phone first (ties by content), then by content similarity.
    `probe` gives the typed content's vector (None: by words only)."""
    since = (now or datetime.now(UTC)) - WINDOW
    config = config_for(session)
    names = admin_names(city)
    topic = topic_of({"id": "", "created_at": since.isoformat(), "fields": {
        "district": district, "address": address, "content": content}}, config, names)
    found: dict[str, tuple[Case, set[str]]] = {}
    sims: dict[str, float] = {}
    try:
        normalised = normalize_phone(phone) if phone.strip() else ""
    except PhoneFormatError:
        normalised = ""
    open_case = Case.status != CaseStatus.CLOSED.value
    if normalised:
        for case in session.scalars(select(Case).where(CallerPhone() == normalised, Case.received_at >= since,
                                                       open_case)
                                    .order_by(Case.received_at.desc()).limit(PHONE_SCAN)):
            found[case.id] = (case, {SAME_PHONE})
    meanings: dict[str, float] = {}
    if topic.words:
        threshold = config.min_similarity if topic.place.specific else config.min_similarity_broad
        rows = list(session.scalars(select(Case).join(CaseTopic, CaseTopic.case_id == Case.id).where(
            CaseTopic.place_key == topic.place.key, CaseTopic.accepted_at >= since, open_case)
            .order_by(CaseTopic.accepted_at.desc()).limit(PLACE_SCAN)))
        meanings = _meanings(session, content, [c.id for c in rows] + list(found), probe, config)
        for case in rows:
            sims[case.id] = blend(_similarity(topic.words, case, config, names), meanings.get(case.id), config)
            if sims[case.id] >= threshold and _same_district(district, case):
                found.setdefault(case.id, (case, set()))[1].add(SAME_PLACE)
    out = []
    for case, reasons in found.values():
        if case.id not in sims:
            sims[case.id] = blend(_similarity(topic.words, case, config, names), meanings.get(case.id), config)
        score = sims[case.id] + (1.0 if SAME_PHONE in reasons else 0.0)
        fields = case.fields or {}
        out.append(Candidate(
            number=case.number, status=case.status, category=str(fields.get("category", "")),
            accepted_at=case.created_at, reasons=tuple(r for r in (SAME_PHONE, SAME_PLACE) if r in reasons),
            phone_masked=mask_phone(str(fields.get("phone") or "")),
            title=title_of(str(fields.get("content", "")), caller_name=str(fields.get("caller_name", ""))),
            score=round(score, 4)))
    out.sort(key=lambda c: c.accepted_at, reverse=True)  # newest first among equal scores
    out.sort(key=lambda c: -c.score)
    return out[:limit]


def _similarity(words: frozenset[str], case: Case, config: HotspotConfig, names: tuple[str, ...]) -> float:
    if not words:
        return 0.0
    other = topic_of({"id": case.id, "created_at": case.created_at, "fields": case.fields or {}}, config, names)
    return cosine(words, dict.fromkeys(other.words, 1))


def _meanings(session: Session, content: str, case_ids: list[str], probe: Probe, config: HotspotConfig
              ) -> dict[str, float]:
    """Case id → the calibrated cosine of its vector with the typed content's; empty when no candidate has a
    vector (then nothing is encoded) or the probe gives none."""
    stored = vectors_of(session, case_ids)
    if not stored:
        return {}
    vector = probe(content)
    if vector is None:
        return {}
    return {case_id: calibrated(float(v @ vector), config.probe_cosine_floor, config.probe_cosine_full)
            for case_id, v in stored.items()}


def _same_district(district: str, case: Case) -> bool:
    """A compound's name recurs across a city: in another district it is another place (as the hot spots say)."""
    theirs = str((case.fields or {}).get("district") or "")
    return not district or not theirs or district == theirs

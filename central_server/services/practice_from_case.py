"""A practice scenario drafted from a real case, its personal data removed (POST /practice/scenarios/from-case).

The draft's lines are the case's content and request, sentence by sentence, scrubbed (contract/practice/scrub.py,
the case's caller_name among the names and its phones among the numbers to remove); the caller is a fictitious profile (a made-up name, a 1390000xxxx
phone, the case's special needs); the answer key is the case's own handling (category, appeal type, disposition,
urgency, departments, district, street, special needs, the article it cited when closed at once). Nothing of the
case is stored: the trainer reviews the draft and what was replaced, then saves it as a new scenario. The audit
log records that the trainer read the case for training — its number, never a value.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import NotFound, ServerError
from central_server.db.models import Case, CaseEvent, User
from central_server.services import audit
from contract.case_number import is_practice_number
from contract.city.model import City
from contract.enums import AppealType, Disposition, Urgency
from contract.events import CORRECTED, CREATED
from contract.practice.scenario import MAX_LINE_CHARS, MAX_LINES, MAX_TITLE_CHARS, Scenario
from contract.practice.scrub import scrub

READ_FOR_TRAINING = "practice_case_read"  # the audit_log kind

# A sentence ends at these marks (kept with it); a line break ends one too.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_FAKE_SURNAMES = "林方柯唐姜岑秦邵"
_FAKE_GIVEN = ("晓", "明", "华", "静", "岚", "宇", "欣", "涛")


class PracticeNumber(ServerError):
    status = 400
    code = "practice_number"


def draft_from_case(session: Session, *, number: str, trainer: User, city: City, address: str | None
                    ) -> dict[str, Any]:
    """{"draft": Scenario dict, "replacements": [{kind, placeholder, line, start, end}]} for the case numbered
    `number`; writes the audit row and commits. Raises PracticeNumber (400) for a practice number and NotFound
    `case_not_found` (404) for an unknown one."""
    number = number.strip()
    if is_practice_number(number):
        raise PracticeNumber(f"{number} is a practice number: a scenario is drafted from a real case")
    case = session.scalars(select(Case).where(Case.number == number)).one_or_none()
    if case is None:
        raise NotFound(f"no case numbered {number}", code="case_not_found")
    fields: dict[str, Any] = dict(case.fields or {})
    names = [str(fields.get("caller_name") or "")]
    phones = [str(fields.get(k) or "") for k in ("phone", "callback_phone")]
    lines: list[dict[str, Any]] = []
    replacements: list[dict[str, Any]] = []
    for sentence in _sentences(str(fields.get("content") or "")) + _sentences(str(fields.get("request") or "")):
        result = scrub(sentence, names=names, phones=phones)
        for piece, shift in _fit(result.text):
            if len(lines) == MAX_LINES:
                break
            line = len(lines)
            lines.append({"text": piece, "after_seconds": 0.0})
            replacements += [{"kind": r.kind, "placeholder": r.placeholder, "line": line,
                              "start": r.start - shift, "end": r.end - shift}
                             for r in result.replacements if shift <= r.start and r.end - shift <= len(piece)]
    seed = int(hashlib.sha256(case.id.encode()).hexdigest()[:8], 16)
    draft = {
        "id": "", "version": 1, "title": _title(fields), "difficulty": 2, "time_limit_seconds": 300,
        "source": "case", "tags": [str(fields.get("category") or "").split("/")[0]],
        "caller": {"name": _FAKE_SURNAMES[seed % 8] + _FAKE_GIVEN[(seed // 8) % 8],
                   "phone": f"1390000{seed % 10000:04d}",
                   "special_needs": _texts(fields.get("special_needs")), "note": "据真实工单改编，个人信息已替换"},
        "lines": lines or [{"text": "（工单没有可用的内容，请补写来电人的话）", "after_seconds": 0.0}],
        "key": _key(session, case, fields, city),
    }
    Scenario.from_dict(draft)  # the draft is a valid scenario (raises ValidationErrors otherwise: a server bug)
    audit.record(session, READ_FOR_TRAINING, user_id=trainer.id, username=trainer.username, address=address,
                 detail=f"case {case.number} read to draft a practice scenario")
    session.commit()
    return {"draft": draft, "replacements": replacements}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip(" ，,。")]


def _fit(text: str) -> list[tuple[str, int]]:
    """A scrubbed sentence as lines of at most MAX_LINE_CHARS, each with its offset in the sentence; a cut never
    falls inside a placeholder and prefers a comma."""
    pieces: list[tuple[str, int]] = []
    start = 0
    while len(text) - start > MAX_LINE_CHARS:
        cut = start + MAX_LINE_CHARS
        comma = max(text.rfind("，", start, cut), text.rfind(",", start, cut))
        if comma > start:
            cut = comma + 1
        opening = text.rfind("【", start, cut)
        if opening > start and text.find("】", opening) >= cut:
            cut = opening
        pieces.append((text[start:cut], start))
        start = cut
    pieces.append((text[start:], start))
    return pieces


def _title(fields: dict[str, Any]) -> str:
    leaf = str(fields.get("category") or "").split("/")[-1] or "来电"
    appeal = AppealType.parse(fields.get("appeal_type"))
    return f"{leaf}{appeal.label if appeal else ''}（据真实工单改编）"[:MAX_TITLE_CHARS]


def _texts(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _key(session: Session, case: Case, fields: dict[str, Any], city: City) -> dict[str, Any]:
    disposition = str(fields.get("disposition") or "")
    direct = disposition == Disposition.DIRECT.value
    urgent = fields.get("urgency") == Urgency.URGENT.value
    required = [name for name, present in (
        ("phone", bool(fields.get("phone"))), ("address", bool(fields.get("address"))),
        ("street", bool(fields.get("street"))), ("request", bool(fields.get("request"))),
        ("urgency_reason", urgent), ("answer", direct)) if present]
    lead = "" if direct else str(case.lead_department or fields.get("lead_department") or "")
    return {
        "category": str(fields.get("category") or ""), "appeal_type": str(fields.get("appeal_type") or ""),
        "disposition": disposition, "urgency": str(fields.get("urgency") or Urgency.NORMAL.value),
        "lead_department": lead if lead in city.departments else "",
        "cooperating_departments": [] if direct else [
            d for d in _texts(fields.get("cooperating_departments")) if d in city.departments],
        "district": str(fields.get("district") or ""), "street": str(fields.get("street") or ""),
        "special_needs": _texts(fields.get("special_needs")), "required_fields": required,
        "kb_article": _cited(session, case) if direct else "",
    }


def _cited(session: Session, case: Case) -> str:
    """The first knowledge-base article the case cited (its last correction's citations, else its creation's)."""
    payloads = session.scalars(select(CaseEvent.payload).where(
        CaseEvent.case_id == case.id, CaseEvent.kind.in_((CREATED, CORRECTED))).order_by(CaseEvent.seq.desc()))
    for payload in payloads:
        citations = (payload or {}).get("citations")
        if isinstance(citations, list):
            for citation in citations:
                if isinstance(citation, dict) and isinstance(citation.get("id"), str) and citation["id"]:
                    return str(citation["id"])[:64]
    return ""

"""A citizen contacting the hotline again about an existing case: linking the new contact to it (重复来电) instead
of opening a second case, or urging it on (催办). No case is created: the citizen is given the existing number.

The contact is queued in the outbox as one "case.contact" mutation (contract/names.py; its shape checked by
contract/case_contact.py) in one transaction, like a submitted case; any seat may record one on any open case of
the city, and the server appends the event to the case (services/case_contacts.py there), where the case's own
seat pulls it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contract.case_contact import MAX_TEXT, ContactProblem, contact_args
from contract.case_number import CASE_NUMBER, is_practice_number
from contract.city.model import City
from contract.enums import Channel
from contract.events import REPEAT_CALL, URGED
from contract.names import CASE_CONTACT
from operator_app.errors import OperatorAppError
from operator_app.ids import new_uuid
from operator_app.services.changes import Changes
from operator_app.services.intake import check_intake, enqueue
from operator_app.store.database import Store


@dataclass(frozen=True)
class ContactResult:
    number: str  # the existing case's number: what the citizen is told
    event_id: str
    kind: str
    changes: Changes


def link_contact(store: Store, city: City, *, case_number: str, content: str, channel: str = Channel.PHONE.value,
                 operator_id: str, call_id: str | None = None, now: datetime | None = None) -> ContactResult:
    """Record the new contact as a 重复来电 on the existing case (with what the citizen said this time)."""
    return _record(store, city, kind=REPEAT_CALL, case_number=case_number, text=content, channel=channel,
                   operator_id=operator_id, call_id=call_id, now=now)


def urge_case(store: Store, city: City, *, case_number: str, text: str, channel: str = Channel.PHONE.value,
              operator_id: str, now: datetime | None = None) -> ContactResult:
    """Record a 催办 on the existing case with what the citizen said."""
    return _record(store, city, kind=URGED, case_number=case_number, text=text, channel=channel,
                   operator_id=operator_id, call_id=None, now=now)


def _record(store: Store, city: City, *, kind: str, case_number: str, text: str, channel: str, operator_id: str,
            call_id: str | None, now: datetime | None) -> ContactResult:
    check_intake(city, operator_id)
    number = case_number.strip().upper()
    if is_practice_number(case_number.strip()):
        raise OperatorAppError("练习工单号不是真实工单，不能关联或催办")
    if not CASE_NUMBER.match(number):
        raise OperatorAppError("工单号格式不正确，应如 S001-20260301-0001")
    if not text.strip():
        raise OperatorAppError("请填写市民这次说的内容" if kind == REPEAT_CALL else "请填写市民催办时说的内容")
    if len(text) > MAX_TEXT:
        raise OperatorAppError(f"内容过长：最多 {MAX_TEXT} 字")
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    event_id = new_uuid()
    try:
        args = contact_args(case_number=number, event_id=event_id, kind=kind, text=text, channel=channel,
                            recorded_at=at, call_id=call_id)
    except ContactProblem as exc:
        raise OperatorAppError(f"无法记录（{exc.where} 不正确）") from exc
    with store.write() as conn:
        enqueue(conn, name=CASE_CONTACT, entity_id=number, operator_id=operator_id, created_at=at, args=args)
    return ContactResult(number, event_id, kind, Changes(outbox=True))

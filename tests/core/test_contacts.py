"""A repeat contact (重复来电) and an urging (催办) at the seat: one "case.contact" outbox row shaped as the server
takes it, no case created; bad input refused with a Chinese message and nothing queued. The offline same-issue
fallback over the seat's own cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contract.case_contact import parse_contact
from contract.city.model import City
from contract.names import CASE_CONTACT
from operator_app.errors import AuthError, OperatorAppError
from operator_app.seat import Seat
from operator_app.services.contacts import link_contact, urge_case
from operator_app.services.intake import submit_case
from operator_app.services.same_issue_local import local_same_issue
from operator_app.store import schema
from sync.outbox import pending_batch
from tests.core.helpers import dispatch_form

NUMBER = "S002-20260301-0007"  # another seat's case: this store does not hold it


def _counts(seat: Seat) -> tuple[int, int]:
    with seat.store.read() as conn:
        return (int(conn.execute(select(func.count()).select_from(schema.cases)).scalar_one()),
                int(conn.execute(select(func.count()).select_from(schema.outbox)).scalar_one()))


def test_link_queues_one_contact_and_creates_no_case(seat: Seat, city: City) -> None:
    result = link_contact(seat.store, city, case_number=" s002-20260301-0007 ", content="灯还是不亮",
                          operator_id="1001", call_id="call-42")
    assert result.number == NUMBER and result.changes.outbox
    assert _counts(seat) == (0, 1)
    [m] = pending_batch(seat.store)
    assert (m.name, m.entity_id, m.operator_id) == (CASE_CONTACT, NUMBER, "1001")
    contact = parse_contact(m.args)  # the server's own check of the shape
    assert (contact.kind, contact.event_id, contact.payload) == (
        "repeat_call", result.event_id, {"content": "灯还是不亮", "channel": "phone", "call_id": "call-42"})


def test_urge_queues_an_urged_event(seat: Seat, city: City) -> None:
    urge_case(seat.store, city, case_number=NUMBER, text="市民催促尽快处理", channel="wechat", operator_id="1001")
    [m] = pending_batch(seat.store)
    assert parse_contact(m.args).payload == {"text": "市民催促尽快处理", "channel": "wechat"}


@pytest.mark.parametrize(("number", "text", "words"), [
    (NUMBER, "   ", "请填写"), ("12345", "灯不亮", "工单号格式"), ("练-20260301-0001", "灯不亮", "练习工单"),
    (NUMBER, "长" * 2001, "过长"),
])
def test_bad_input_queues_nothing(seat: Seat, city: City, number: str, text: str, words: str) -> None:
    with pytest.raises(OperatorAppError, match=words):
        link_contact(seat.store, city, case_number=number, content=text, operator_id="1001")
    assert _counts(seat) == (0, 0)


def test_only_people_who_take_calls(seat: Seat, city: City) -> None:
    trainer = next(op.id for op in city.roster.values() if op.role == "trainer")
    with pytest.raises(AuthError):
        urge_case(seat.store, city, case_number=NUMBER, text="催办", operator_id=trainer)
    assert _counts(seat) == (0, 0)


def test_offline_candidates_from_own_cases(seat: Seat, city: City) -> None:
    same = submit_case(seat.store, city, form=dispatch_form(city, phone="13912345678", content="小区东门路灯坏了"),
                       operator_id="1001")
    similar = submit_case(seat.store, city, form=dispatch_form(city, phone="13700000000",
                                                               content="小区东门路灯坏了很久没人修"),
                          operator_id="1001")
    submit_case(seat.store, city, form=dispatch_form(city, phone="13700000001", content="医保报销咨询"),
                operator_id="1001")
    found = local_same_issue(seat.store, phone="139 1234 5678", content="东门路灯坏了")
    assert [(c.number, c.reasons) for c in found] == [
        (same.number, ("same_phone", "similar_content")), (similar.number, ("similar_content",))]
    assert found[0].phone_masked == "139****5678"
    later = datetime.now(UTC) + timedelta(days=31)
    assert local_same_issue(seat.store, phone="13912345678", content="", now=later) == []

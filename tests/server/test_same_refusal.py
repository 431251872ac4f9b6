"""The seat's form and the server refuse the same case fields, with the same words (issue 14, "one contract").

Both paths start from one dict of fields: the form validates it as typed (contract.case_fields.validate_case),
the server as received in a pushed case.created (central_server.services.case_args.parse_created).
"""

from __future__ import annotations

from typing import Any

import pytest

from central_server.services.case_args import FieldsProblem, parse_created
from contract.case_fields import CaseInput, validate_case
from contract.city.model import City
from contract.errors import ValidationErrors
from tests.core.helpers import direct_form, dispatch_form
from tests.server.api_client import case_fields

BAD: list[dict[str, Any]] = [
    {"content": ""},
    {"content": "长" * 5001},
    {"content": "楼道灯\x00坏了"},
    {"content": "楼道灯坏了😀"},
    {"content": "楼道\u200b灯坏了"},
    {"content": "\ud800"},
    {"caller_name": "张\n三"},
    {"caller_name": "名" * 31},
    {"address": "幸福小区\x07"},
    {"request": "☎" * 3},
    {"phone": "12345"},
    {"phone": "abc"},
    {"phone": "13800138000转88"},
    {"callback_phone": "99999"},
    {"channel": "fax"},
    {"channel": ""},
    {"appeal_type": "bogus"},
    {"category": "城乡建设"},
    {"category": "不存在/的/分类"},
    {"district": "火星区"},
    {"street": "不存在街道"},
    {"urgency": "critical"},
    {"urgency": ""},
    {"urgency": "urgent", "urgency_reason": ""},
    {"disposition": "later"},
    {"lead_department": "no_such_dept"},
    {"lead_department": ""},
    {"cooperating_departments": ["no_such_dept"]},
    {"cooperating_departments": ["zjj"]},  # the lead department again
    {"special_needs": ["flying"]},
    {"special_needs": ["other"], "special_needs_other": ""},
    {"disposition": "direct", "answer": "", "lead_department": ""},
    {"disposition": "direct", "answer": "已答复"},  # a direct case names no department
    {"district": "", "street": ""},  # a dispatched case needs its district
    {"phone": {"number": "13800000000"}},
    {"confidential": "no"},
    {"special_needs": "elderly"},
    {"cooperating_departments": [1, 2]},
]


def _form_errors(data: dict[str, Any], city: City) -> list[tuple[str, str]]:
    phone_kind = "number" if data.get("phone") else "none"
    try:
        validate_case(CaseInput.from_mapping({**data, "phone_kind": phone_kind}), city)
    except ValidationErrors as exc:
        return [(e.field, e.message) for e in exc.errors]
    return []


def _server_problems(data: dict[str, Any], city: City) -> list[str]:
    dispatched = data.get("disposition") == "dispatch"
    args = {"case_id": "00000000-0000-4000-8000-000000000001", "seat_code": "S001", "event": {
        "id": "00000000-0000-4000-8000-000000000002", "seq": 1, "kind": "created",
        "recorded_at": "2026-03-01T08:00:00.000+00:00",
        "payload": {"number": "S001-20260301-0001", "fields": data,
                    "respond_by": "2026-03-01T09:00:00+00:00" if dispatched else "",
                    "finish_by": "2026-03-02T08:00:00+00:00" if dispatched else ""}}}
    try:
        parse_created(args, city)
    except FieldsProblem as exc:
        return exc.problems
    return []


@pytest.mark.parametrize("bad", BAD, ids=[",".join(f"{k}={str(v)[:12]!r}" for k, v in b.items()) for b in BAD])
def test_what_the_form_refuses_the_server_refuses_in_the_same_words(city: City, bad: dict[str, Any]) -> None:
    data = {**case_fields(), **bad}
    form = _form_errors(data, city)
    server = _server_problems(data, city)
    assert form, "the form accepted it"
    assert len(server) == len(form), (form, server)
    for (field, message), sentence in zip(form, server, strict=True):
        assert message in sentence, (field, message, sentence)


@pytest.mark.parametrize("form", [
    dispatch_form, direct_form,
    lambda city: dispatch_form(city, phone=" 138-0013-8000 ", content="  楼上漏水\r\n已三天  ", urgency="紧急",
                               urgency_reason="水已漫到电表箱", special_needs=("老年人", "elderly")),
    lambda city: direct_form(city, phone="", phone_kind="none", channel="微信", appeal_type="建议"),
])
def test_what_the_form_saves_the_server_accepts(city: City, form: Any) -> None:
    saved = validate_case(form(city), city).to_dict()  # what a seat sends
    assert _server_problems(saved, city) == []


def test_the_server_wants_the_saved_form_not_the_typed_one(city: City) -> None:
    """A value the form would still normalise (a typed phone, a district by name) was not made by a seat."""
    for typed in ({"phone": "138 0013 8000"}, {"district": "东湖区"}, {"content": " 楼道灯坏了 "}):
        assert _form_errors({**case_fields(), **typed}, city) == []
        problems = _server_problems({**case_fields(), **typed}, city)
        assert len(problems) == 1 and "规范格式" in problems[0], (typed, problems)

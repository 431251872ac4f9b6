"""The server refuses what the seat's form refuses (issue 14, finding 4), on SQLite and PostgreSQL.

Each refused case.created is answered `rejected` with a stable code and a Chinese reason; nothing is stored and
nothing reaches a pulling seat; the next good case of the same batch is applied.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.server.api_client import Api, SeatClient, case_fields, count_rows
from tests.server.conftest import ServerFactory

CJK = re.compile(r"[\u4e00-\u9fff]")


def _with_fields(seat: SeatClient, seq: int, **changes: Any) -> dict[str, Any]:
    m = seat.case_created(seq)
    m["args"]["event"]["payload"]["fields"] = case_fields(**changes)
    return m


def _without(seat: SeatClient, seq: int, name: str) -> dict[str, Any]:
    m = seat.case_created(seq)
    del m["args"]["event"]["payload"]["fields"][name]
    return m


BAD_FIELDS: dict[str, Any] = {
    "nul": lambda seat, seq: _with_fields(seat, seq, content="楼道灯\x00坏了"),
    "oversized_content": lambda seat, seq: _with_fields(seat, seq, content="楼道灯坏了" + "a" * 1_500_000),
    "emoji": lambda seat, seq: _with_fields(seat, seq, content="楼道灯坏了😡"),
    "phone_object": lambda seat, seq: _with_fields(seat, seq, phone={"number": "13800000000"}),
    "unknown_lead_department": lambda seat, seq: _with_fields(seat, seq, lead_department="no_such_dept"),
    "missing_urgency": lambda seat, seq: _without(seat, seq, "urgency"),
    "not_normalised_phone": lambda seat, seq: _with_fields(seat, seq, phone="138-0000-0000"),
    "district_by_name": lambda seat, seq: _with_fields(seat, seq, district="东湖区"),
    "unknown_field": lambda seat, seq: _with_fields(seat, seq, colour="red"),
}


def _assert_refused_and_gone(seat: SeatClient, database_url: str, resp: Any, code: str) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    first, second = body["results"]
    assert first["status"] == "rejected", first
    assert first["code"] == code, first
    assert CJK.search(first["error"]), first["error"]  # a Chinese sentence the operator can act on
    assert second["status"] == "applied", second  # the queue moves on
    assert count_rows(database_url, "cases") == 1
    assert count_rows(database_url, "case_events") == 1
    changes, _ = seat.pull_all()
    assert [c["data"]["number"] for c in changes if c["entity"] == "case_event"] == ["S001-20260301-0002"]
    return dict(first)


@pytest.mark.parametrize("bad", sorted(BAD_FIELDS))
def test_case_the_form_refuses_is_refused(server_factory: ServerFactory, database_url: str, bad: str) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    resp = seat.push([BAD_FIELDS[bad](seat, 1), seat.case_created(2)])
    result = _assert_refused_and_gone(seat, database_url, resp, "invalid_field")
    assert "S001-20260301-0001" in result["error"]


def test_reasons_name_the_field_in_chinese(server_factory: ServerFactory) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    resp = seat.push([_with_fields(seat, 1, content="楼道灯\x00坏了"), _without(seat, 2, "urgency"),
                      _with_fields(seat, 3, lead_department="no_such_dept")]).json()
    reasons = [r["error"] for r in resp["results"]]
    assert "诉求内容含有不可见的控制字符" in reasons[0]
    assert "缺少紧急程度" in reasons[1]
    assert "“no_such_dept”不是本市的承办单位" in reasons[2]


@pytest.mark.parametrize("role_user", ["admin", "3001"])  # admin, trainer
def test_author_without_intake_role_is_refused(server_factory: ServerFactory, database_url: str,
                                               role_user: str) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    resp = seat.push([seat.case_created(1, operator=role_user), seat.case_created(2)])
    result = _assert_refused_and_gone(seat, database_url, resp, "operator_not_allowed")
    assert role_user in result["error"]


def test_editor_author_is_refused_even_when_it_pushes_itself(server_factory: ServerFactory,
                                                             database_url: str) -> None:
    """The pushing user's own token vouches only that the user is active, never that the role may take calls."""
    from central_server.db.engine import make_engine, session_factory
    from central_server.services.users import create_user
    from tests.server.api_client import PASSWORD

    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        create_user(session, username="5001", name="编辑", role="editor", password=PASSWORD)
    engine.dispose()
    api = Api(server_factory().url)
    seat = SeatClient.register(api, operator="5001")
    seat.sign_in("1001")  # so the second case's author is one who signed in here
    seat.sign_in("5001")  # and the push is made with the editor's own token
    resp = seat.push([seat.case_created(1, operator="5001"), seat.case_created(2, operator="1001")])
    _assert_refused_and_gone(seat, database_url, resp, "operator_not_allowed")


def test_team_lead_may_author_a_case(server_factory: ServerFactory) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    seat.sign_in("2001")
    resp = seat.push([seat.case_created(1, operator="2001")]).json()
    assert resp["results"][0]["status"] == "applied", resp


@pytest.mark.parametrize("where, value", [
    ("respond_by", "tomorrow"),
    ("finish_by", ""),
    ("finish_by", "2026-03-01T08:30:00+00:00"),  # before respond_by
    ("number", "S001-20261399-0001"),  # no 99th of the 13th month
])
def test_number_and_deadlines_must_be_shaped_as_the_seat_makes_them(
    server_factory: ServerFactory, database_url: str, where: str, value: str
) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    bad = seat.case_created(1)
    bad["args"]["event"]["payload"][where] = value
    resp = seat.push([bad, seat.case_created(2)]).json()
    assert resp["results"][0]["status"] == "rejected"
    assert resp["results"][0]["code"] == "invalid_args"
    assert CJK.search(resp["results"][0]["error"])
    assert count_rows(database_url, "cases") == 1


def test_rejection_code_survives_a_resend(server_factory: ServerFactory) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    batch = [_with_fields(seat, 1, content="😡")]
    first = seat.push(batch).json()["results"][0]
    again = seat.push(batch).json()["results"][0]
    assert again == first
    assert again["code"] == "invalid_field"

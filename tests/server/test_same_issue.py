"""GET /api/v1/cases/same-issue on a real server (SQLite and PostgreSQL): open cases of the last 30 days with the
same phone, or the same place and similar content, ranked, at most 5, phones masked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.api_client import Api, SeatClient, assert_error
from tests.server.conftest import ServerFactory
from tests.server.contact_builder import created, number_of, results, set_case

PHONE = "13900001111"
BBQ = "幸福家园小区楼下烧烤店油烟很大，晚上吵到十二点"


@pytest.fixture
def city_cases(server_factory: ServerFactory, database_url: str) -> tuple[SeatClient, dict[str, str]]:
    """Two seats' cases; returns the seat S002 and name → number."""
    api = Api(server_factory().url)
    one = SeatClient.register(api, operator="1001", seat_code="S001")
    two = SeatClient.register(api, operator="1002", seat_code="S002")
    plan = {
        "phone_and_place": (one, dict(phone=PHONE, content=BBQ, address="幸福家园小区3栋")),
        "place_only": (two, dict(phone="13700002222", content="幸福家园小区楼下烧烤店油烟大，噪音扰民到深夜",
                                 address="幸福家园小区5栋")),
        "place_other_issue": (two, dict(phone="13700003333", content="幸福家园小区电梯经常停运，物业不修",
                                        address="幸福家园小区2栋")),
        "phone_only": (one, dict(phone=PHONE, content="青石路路灯不亮好几天了", address="青石路")),
        "closed": (one, dict(phone=PHONE, content=BBQ, address="幸福家园小区3栋")),
        "too_old": (two, dict(phone=PHONE, content=BBQ, address="幸福家园小区3栋")),
        "other_district": (two, dict(phone="13700004444", content=BBQ, address="幸福家园小区3栋",
                                     district="xishan")),
    }
    numbers: dict[str, str] = {}
    seqs = {one.seat_code: 0, two.seat_code: 0}
    for name, (seat, fields) in plan.items():
        seqs[seat.seat_code] += 1
        m = created(seat, seqs[seat.seat_code], seqs[seat.seat_code], operator="1001" if seat is one else "1002",
                    **fields)
        assert [r["status"] for r in results(seat.push([m]))] == ["applied"]
        numbers[name] = number_of(m)
    set_case(database_url, numbers["closed"], status="closed")
    set_case(database_url, numbers["too_old"], days_old=31)
    return two, numbers


def _ask(seat: SeatClient, **params: str) -> list[dict[str, Any]]:
    resp = seat.api.get("/cases/same-issue", params=params, headers=seat.auth)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def test_phone_and_place_ranked(city_cases: tuple[SeatClient, dict[str, str]]) -> None:
    seat, n = city_cases
    found = _ask(seat, phone="139-0000-1111", content="幸福家园楼下的烧烤店油烟太大了，晚上很吵",
                 address="幸福家园小区", district="donghu")
    assert [c["number"] for c in found] == [n["phone_and_place"], n["phone_only"], n["place_only"]]
    assert [c["reasons"] for c in found] == [["same_phone", "same_place"], ["same_phone"], ["same_place"]]
    assert found[0]["reason_text"] == "同一来电号码；同一地点且内容相近"
    assert found[0]["phone_masked"] == "139****1111" and found[2]["phone_masked"] == "137****2222"
    assert all(PHONE not in str(c) for c in found)
    assert found[0]["status"] == "dispatched" and found[0]["category"] and found[0]["accepted_at"]


def test_place_and_content_without_phone(city_cases: tuple[SeatClient, dict[str, str]]) -> None:
    seat, n = city_cases
    found = _ask(seat, content="幸福家园小区楼下烧烤油烟扰民", address="幸福家园小区1栋", district="donghu")
    assert {c["number"] for c in found} == {n["phone_and_place"], n["place_only"]}
    assert all(c["reasons"] == ["same_place"] for c in found)


def test_other_content_at_the_place_is_no_match(city_cases: tuple[SeatClient, dict[str, str]]) -> None:
    seat, n = city_cases
    found = _ask(seat, content="幸福家园小区电梯又停运了，物业不修", address="幸福家园小区", district="donghu")
    assert [c["number"] for c in found] == [n["place_other_issue"]]


def test_nothing_for_an_unknown_caller_and_place(city_cases: tuple[SeatClient, dict[str, str]]) -> None:
    seat, _ = city_cases
    assert _ask(seat, phone="13600000000", content="月湾镇码头渡船停航", address="月湾镇码头") == []
    assert _ask(seat) == []
    assert _ask(seat, phone="not a phone") == []


def test_at_most_five(server_factory: ServerFactory) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    batch = [created(seat, i, i, phone=PHONE, content=f"第{i}次反映路灯不亮", address="青石路") for i in range(1, 8)]
    assert {r["status"] for r in results(seat.push(batch))} == {"applied"}
    found = _ask(seat, phone=PHONE)
    assert len(found) == 5
    # equal scores: newest first
    assert [c["accepted_at"] for c in found] == sorted((c["accepted_at"] for c in found), reverse=True)


def test_only_intake_roles(server_factory: ServerFactory) -> None:
    api = Api(server_factory().url)
    assert_error(api.get("/cases/same-issue", params={"phone": PHONE}, headers=api.token("3001")), 403, "forbidden")
    assert_error(api.get("/cases/same-issue", params={"phone": PHONE}), 401)


@pytest.mark.parametrize("params", [
    {"content": "\x00\ud7ff" + "幸福" * 50, "address": "%%%'\"", "district": "no_such"},
    {"content": "路灯不亮了好几天", "district": "don\x00ghu", "phone": "139\x0000001111"},
    {"phone": "+86 139-0000-1111 转 12"}, {"phone": "1" * 40, "content": "、。" * 100},
])
def test_odd_input_answers_cleanly(server_factory: ServerFactory, params: dict[str, str]) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    resp = seat.api.get("/cases/same-issue", params=params, headers=seat.auth)
    assert resp.status_code == 200, resp.text
    too_long = seat.api.get("/cases/same-issue", params={"content": "长" * 5001}, headers=seat.auth)
    assert_error(too_long, 422)

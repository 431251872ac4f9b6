"""My cases: scopes, search, masking, paging; one case with its history; outbox summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract.case_fields import MAX_LEN
from contract.city.model import City
from operator_app.seat import Seat
from operator_app.services.case_queries import (
    CaseFilter,
    count_cases,
    find_case_id,
    get_case,
    list_cases,
    outbox_summary,
)
from operator_app.services.intake import submit_case
from tests.core.helpers import direct_form, dispatch_form

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def fill(seat: Seat, city: City) -> None:
    submit_case(seat.store, city, form=dispatch_form(city, content="昨天的噪音投诉"), operator_id="1001",
                now=NOW - timedelta(days=1))
    submit_case(seat.store, city, form=dispatch_form(city, content="今天的物业投诉_100%"), operator_id="1001",
                now=NOW - timedelta(hours=1))
    submit_case(seat.store, city, form=direct_form(city, content="今天的医保咨询"), operator_id="1002",
                now=NOW - timedelta(minutes=5))


def test_scopes_and_operator(seat: Seat, city: City) -> None:
    fill(seat, city)
    mine = CaseFilter(operator_id="1001", timezone=city.timezone)
    assert count_cases(seat.store, mine, now=NOW) == 2
    today = CaseFilter(operator_id="1001", scope="today", timezone=city.timezone)
    assert [r.category for r in list_cases(seat.store, today, now=NOW)] == [dispatch_form(city).category]
    shift = CaseFilter(scope="shift", shift_start=(NOW - timedelta(minutes=10)).isoformat(), timezone=city.timezone)
    assert count_cases(seat.store, shift, now=NOW) == 1
    assert count_cases(seat.store, CaseFilter(), now=NOW) == 3


def test_newest_first_and_masked(seat: Seat, city: City) -> None:
    fill(seat, city)
    rows = list_cases(seat.store, CaseFilter(), now=NOW)
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)
    assert rows[1].phone == "138****8000" and rows[1].caller == "张*"
    assert rows[0].phone == "0731-****1234" and rows[0].caller == ""
    assert all("13800138000" not in repr(r) for r in rows)


def test_confidential_caller_never_shown(seat: Seat, city: City) -> None:
    submit_case(seat.store, city, form=dispatch_form(city, confidential=True), operator_id="1001")
    assert list_cases(seat.store, CaseFilter())[0].caller == "（保密）"


def test_search_by_text_number_and_phone_digits_with_wildcards_escaped(seat: Seat, city: City) -> None:
    fill(seat, city)
    assert [r.category for r in list_cases(seat.store, CaseFilter(text="医保"))] == [direct_form(city).category]
    assert count_cases(seat.store, CaseFilter(text="_100%")) == 1
    assert count_cases(seat.store, CaseFilter(text="%")) == 1
    assert count_cases(seat.store, CaseFilter(text="8000")) == 2
    number = list_cases(seat.store, CaseFilter())[0].number
    assert [r.number for r in list_cases(seat.store, CaseFilter(text=number))] == [number]


def test_paging(seat: Seat, city: City) -> None:
    for _ in range(7):
        submit_case(seat.store, city, form=direct_form(city), operator_id="1001")
    pages = [list_cases(seat.store, CaseFilter(), offset=o, limit=3) for o in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len({r.id for p in pages for r in p}) == 7


def test_case_detail_and_outbox_summary(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    detail = get_case(seat.store, result.case_id)
    assert detail is not None
    assert detail.state.number == result.number and detail.state.status == "dispatched"
    assert [e.kind for e in detail.events] == ["created"] and not detail.synced
    assert find_case_id(seat.store, result.number) == result.case_id
    assert get_case(seat.store, "nope") is None
    summary = outbox_summary(seat.store)
    assert (summary.pending, summary.rejected) == (1, 0) and summary.oldest_pending_at


def test_search_text_of_any_length_answers_without_an_error(seat: Seat, city: City) -> None:
    """SQLite refuses a LIKE pattern over 50,000 bytes; no content is longer than the form allows."""
    fill(seat, city)
    longest = MAX_LEN["content"]
    long_content = "医" * longest
    submit_case(seat.store, city, form=direct_form(city, content=long_content), operator_id="1002", now=NOW)
    for text, found in ((long_content, 1), ("医" * (longest + 1), 0), ("医" * 16_670, 0),
                        ("%" * 100_000, 0), ("今天的" + "_" * 60_000, 0)):
        flt = CaseFilter(text=text, timezone=city.timezone)
        assert count_cases(seat.store, flt, now=NOW) == found
        assert len(list_cases(seat.store, flt, now=NOW)) == found

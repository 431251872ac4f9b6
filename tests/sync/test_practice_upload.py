"""Practice attempts reach the server through POST /api/v1/practice/attempts: the server's score is adopted, a
refusal is final, a network failure is retried later, and a crash between send and mark sends the same id again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from contract.city.model import City
from contract.practice.scenario import Scenario
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.practice import PracticeResult, PracticeStore, history, submit_practice, upload_pending
from operator_app.seat import Seat
from tests.core.practice_helpers import FakeServer, demo_scenarios, published, right_form, weights

START = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
POST = ("POST", "/api/v1/practice/attempts")


@pytest.fixture
def pstore(seat: Seat) -> Iterator[PracticeStore]:
    store = PracticeStore.open(seat.data_dir, seat_code="S001")
    yield store
    store.close()


@pytest.fixture
def scenario() -> Scenario:
    return demo_scenarios()[0]


@pytest.fixture
def server(city: City, scenario: Scenario) -> FakeServer:
    return FakeServer(city, scenarios=published([scenario]))


def _submit(pstore: PracticeStore, city: City, scenario: Scenario, *, minute: int = 0,
            trainee: str = "1001") -> PracticeResult:
    now = START + timedelta(minutes=minute)
    return submit_practice(pstore, city, scenario, right_form(scenario, city), trainee_id=trainee,
                           started_at=now - timedelta(seconds=80), seconds=80, cited=("kb-1",),
                           suggestions_shown=False, assignment_id=None, weights=weights(), now=now)


def test_a_sent_attempt_takes_the_servers_score(pstore: PracticeStore, city: City, scenario: Scenario,
                                                server: FakeServer) -> None:
    result = _submit(pstore, city, scenario)
    report = upload_pending(pstore, server)
    assert (report.sent, report.refused, report.pending, report.error) == (1, 0, 0, None)
    body = server.received[result.attempt_id]
    assert body["number"] == result.number and body["number"].startswith("练-")
    assert (body["scenario_id"], body["scenario_version"]) == (scenario.id, scenario.version)
    assert body["answers"] == right_form(scenario, city).to_dict()
    assert body["cited"] == ["kb-1"] and body["seconds"] == 80 and body["suggestions_shown"] is False
    assert body["assignment_id"] is None and body["started_at"] < body["submitted_at"]
    [row] = history(pstore, "1001")
    assert row.state == "sent" and row.server_scored and row.total == 42.5
    assert upload_pending(pstore, server).sent == 0 and server.calls.count(POST) == 1  # never sent twice


@pytest.mark.parametrize(("status", "code"), [(409, "attempt_taken"), (422, "not_practice_number"),
                                              (404, "scenario_not_found")])
def test_a_refused_attempt_is_marked_and_never_sent_again(pstore: PracticeStore, city: City, scenario: Scenario,
                                                          server: FakeServer, status: int, code: str) -> None:
    refused = _submit(pstore, city, scenario)
    fine = _submit(pstore, city, scenario, minute=1)
    server.refuse[refused.attempt_id] = (status, code)
    report = upload_pending(pstore, server)
    assert (report.sent, report.refused, report.pending) == (1, 1, 0)  # the refusal did not stop the next one
    rows = {r.id: r for r in history(pstore, "1001")}
    assert rows[refused.attempt_id].state == "refused" and code in rows[refused.attempt_id].last_error
    assert not rows[refused.attempt_id].server_scored and rows[refused.attempt_id].total == 100.0
    assert rows[fine.attempt_id].state == "sent"
    calls = server.calls.count(POST)
    assert upload_pending(pstore, server) == upload_pending(pstore, server)
    assert server.calls.count(POST) == calls


@pytest.mark.parametrize("failure", [
    SyncError(SyncErrorKind.NETWORK, "cannot reach the central server: ConnectionError"),
    SyncError(SyncErrorKind.NETWORK, "central server error 503"),
    SyncError(SyncErrorKind.AUTH, "登录已过期：请重新登录"),
    ConnectionError("connection refused"),
])
def test_a_failure_to_reach_the_server_leaves_attempts_pending(pstore: PracticeStore, city: City,
                                                               scenario: Scenario, server: FakeServer,
                                                               failure: Exception) -> None:
    first = _submit(pstore, city, scenario)
    second = _submit(pstore, city, scenario, minute=1)
    server.fail = failure
    report = upload_pending(pstore, server)
    assert (report.sent, report.refused, report.pending) == (0, 0, 2) and report.error
    assert server.calls.count(POST) == 1  # the pass stops at the first failure
    assert {r.state for r in history(pstore, "1001")} == {"pending"}
    server.fail = None
    later = upload_pending(pstore, server)
    assert (later.sent, later.pending, later.error) == (2, 0, None)
    assert set(server.received) == {first.attempt_id, second.attempt_id}


def test_a_crash_between_send_and_mark_sends_the_same_id_again(seat: Seat, city: City, scenario: Scenario,
                                                               server: FakeServer) -> None:
    pstore = PracticeStore.open(seat.data_dir, seat_code="S001")
    result = _submit(pstore, city, scenario)

    def crash(_attempt_id: str) -> None:
        raise RuntimeError("the seat died before it recorded the answer")

    server.after_receive = crash
    with pytest.raises(RuntimeError):
        upload_pending(pstore, server)
    pstore.close()
    assert result.attempt_id in server.received

    reopened = PracticeStore.open(seat.data_dir, seat_code="S001")
    try:
        assert history(reopened, "1001")[0].state == "pending"
        server.after_receive = None
        assert upload_pending(reopened, server).sent == 1
        sent_ids = [c for c in server.calls if c == POST]
        assert len(sent_ids) == 2 and list(server.received) == [result.attempt_id]
        assert history(reopened, "1001")[0].state == "sent"
    finally:
        reopened.close()


def test_an_unreadable_answer_leaves_the_attempt_pending(pstore: PracticeStore, city: City, scenario: Scenario,
                                                         server: FakeServer) -> None:
    _submit(pstore, city, scenario)

    def garbled(method: str, path: str, *, json_body: object = None, params: object = None) -> object:
        return {"id": "someone-else", "score": {}}

    report = upload_pending(pstore, garbled)
    assert (report.sent, report.pending) == (0, 1) and report.error
    assert upload_pending(pstore, server).sent == 1


def test_only_the_named_trainees_attempts_are_sent(pstore: PracticeStore, city: City, scenario: Scenario,
                                                   server: FakeServer) -> None:
    mine = _submit(pstore, city, scenario, trainee="1001")
    _submit(pstore, city, scenario, trainee="1002", minute=1)
    report = upload_pending(pstore, server, trainee_id="1001")
    assert (report.sent, report.pending) == (1, 0)
    assert list(server.received) == [mine.attempt_id]
    assert history(pstore, "1002")[0].state == "pending"

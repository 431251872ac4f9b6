"""Seats' backlog reports (POST /seats/backlog) and the team's view of them (services/backlog.team_backlog), on
SQLite and PostgreSQL; and the seat's engine sending its report at the end of a sync pass."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import User
from central_server.services.backlog import team_backlog
from contract.city.model import City
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.seat import Seat
from operator_app.services.intake import submit_case
from operator_app.store import schema
from sync.embedded import DEMO_PASSWORD
from tests.core.helpers import direct_form
from tests.integration.conftest import engine_for, start_server
from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory

T0 = "2026-03-01T08:00:00+08:00"


def _team(database_url: str, team: str, *users: str) -> list[dict[str, Any]]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            if users:
                session.execute(update(User).where(User.id.in_(users)).values(team=team))
                session.commit()
            return team_backlog(session, team)
    finally:
        engine.dispose()


def _report(seat: SeatClient, operators: list[dict[str, Any]], **headers: str) -> requests.Response:
    return seat.api.post("/seats/backlog", {"operators": operators}, headers={**seat.headers(), **headers})


def test_report_replaces_the_seats_last_and_the_team_sees_it(server_factory: ServerFactory,
                                                             database_url: str) -> None:
    api = Api(server_factory().url)
    s1 = SeatClient.register(api, operator="1001", seat_code="S001")
    s1.sign_in("1002")
    s2 = SeatClient.register(api, operator="1002", seat_code="S002")
    r = _report(s1, [{"operator_id": "1001", "pending": 3, "oldest_pending_at": T0},
                     {"operator_id": "1002", "pending": 1, "oldest_pending_at": "2026-03-01T01:30:00Z"}])
    assert r.status_code == 204, r.text
    assert _report(s2, [{"operator_id": "1002", "pending": 7, "oldest_pending_at": "2026-03-01T02:00:00Z"}]) \
        .status_code == 204
    rows = _team(database_url, "一班", "1001", "1002", "2001")
    assert [(r["seat_code"], r["operator_id"], r["operator_name"], r["pending"]) for r in rows] == [
        ("S001", "1001", "李晓梅", 3), ("S001", "1002", "王建国", 1), ("S002", "1002", "王建国", 7)]
    assert rows[0]["oldest_pending_at"] == "2026-03-01T00:00:00+00:00"
    reported = datetime.fromisoformat(rows[0]["reported_at"])
    assert reported.tzinfo is not None and abs((datetime.now(UTC) - reported).total_seconds()) < 60
    assert _team(database_url, "二班") == [] and _team(database_url, "") == []

    # The next report replaces the seat's previous one; an empty one clears it.
    assert _report(s1, [{"operator_id": "1002", "pending": 2, "oldest_pending_at": T0}]).status_code == 204
    assert [(r["seat_code"], r["operator_id"], r["pending"]) for r in _team(database_url, "一班")] == [
        ("S001", "1002", 2), ("S002", "1002", 7)]
    assert _report(s1, []).status_code == 204
    assert [(r["seat_code"], r["pending"]) for r in _team(database_url, "一班")] == [("S002", 7)]


@pytest.mark.parametrize(("operators", "status", "code"), [
    ([{"operator_id": "1002", "pending": 1, "oldest_pending_at": T0}], 403, "operator_not_signed_in"),
    ([{"operator_id": "nobody", "pending": 1, "oldest_pending_at": T0}], 403, "operator_not_signed_in"),
    ([{"operator_id": "1001", "pending": 1, "oldest_pending_at": T0}] * 2, 422, "duplicate_operator"),
    ([{"operator_id": "1001", "pending": 0, "oldest_pending_at": T0}], 422, None),
    ([{"operator_id": "1001", "pending": -5, "oldest_pending_at": T0}], 422, None),
    ([{"operator_id": "1001", "pending": 1, "oldest_pending_at": "2026-03-01T08:00:00"}], 422, None),  # no offset
    ([{"operator_id": "1001", "pending": 1}], 422, None),
    ([{"operator_id": "1001", "pending": "3", "oldest_pending_at": T0, "seat_code": "S002"}], 422, None),
])
def test_bad_reports_refused_and_nothing_stored(server_factory: ServerFactory, database_url: str,
                                                operators: list[dict[str, Any]], status: int,
                                                code: str | None) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    good = [{"operator_id": "1001", "pending": 4, "oldest_pending_at": T0}]
    assert _report(seat, good).status_code == 204
    assert_error(_report(seat, operators), status, code)
    assert [r["pending"] for r in _team(database_url, "一班", "1001")] == [4]  # the last good report stands


def test_only_a_seat_with_its_credential_and_a_token_reports(server_factory: ServerFactory,
                                                             database_url: str) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    body = [{"operator_id": "1001", "pending": 1, "oldest_pending_at": T0}]
    assert_error(_report(seat, body, **{"X-Seat-Credential": "x" * 43}), 401)
    assert_error(seat.api.post("/seats/backlog", {"operators": body},
                               headers={"X-Seat-Id": seat.seat_id, "X-Seat-Credential": seat.credential}), 401)
    assert count_rows(database_url, "seat_backlog") == 0


def test_engine_reports_the_backlog_after_each_pass(seat: Seat, city: City, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    srv = start_server(url)
    try:
        engine = engine_for(seat, srv.url)
        engine.login("1001", DEMO_PASSWORD)
        for _ in range(2):
            submit_case(seat.store, city, form=direct_form(city), operator_id="1001")

        def fail(*args: Any, **kwargs: Any) -> Any:
            raise SyncError(SyncErrorKind.NETWORK, "down")

        with monkeypatch.context() as patch:  # a pass that fails reports nothing
            patch.setattr(engine.client, "push_body", fail)
            with pytest.raises(SyncError):
                engine.run_once()
        assert _team(url, "一班") == []

        with monkeypatch.context() as patch:  # a pass that pushed nothing (the server waits at a gap, say)
            patch.setattr(engine, "_push_all", lambda report: None)
            engine.run_once()
        [row] = _team(url, "一班")
        with seat.store.read() as conn:
            oldest = conn.execute(select(func.min(schema.outbox.c.created_at))).scalar_one()
        assert (row["seat_code"], row["operator_id"], row["operator_name"], row["pending"]) == \
            (seat.store.seat.seat_code, "1001", "李晓梅", 2)
        assert datetime.fromisoformat(row["oldest_pending_at"]) == datetime.fromisoformat(oldest)

        assert engine.run_once().acked == 2  # everything pushed: the report is cleared
        assert _team(url, "一班") == []

        sent: list[object] = []
        real = engine.client.report_backlog
        with monkeypatch.context() as patch:  # unchanged since the last report, a moment ago: not sent again
            patch.setattr(engine.client, "report_backlog",
                          lambda *a, **kw: sent.append(kw["operators"]) or real(*a, **kw))
            engine.run_once()
            patch.setattr("sync.engine.BACKLOG_RESEND_S", 0.0)
            engine.run_once()
        assert sent == [[]]

        # A report the server refuses fails nothing: the pass still answers, and the report is sent again later.
        monkeypatch.setattr("sync.engine.BACKLOG_RESEND_S", 0.0)
        calls: list[object] = []

        def refused(*args: Any, **kwargs: Any) -> None:
            calls.append(kwargs["operators"])
            raise SyncError(SyncErrorKind.REJECTED, "refused", code="operator_not_signed_in")

        monkeypatch.setattr(engine.client, "report_backlog", refused)
        submit_case(seat.store, city, form=direct_form(city), operator_id="1001")
        assert engine.run_once().acked == 1
        engine.run_once()
        assert calls == [[], []]
    finally:
        srv.stop()

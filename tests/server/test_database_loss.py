"""Pooled connections are not pinged before use: when the database drops them (restart, failover, an admin
terminating backends), the request that finds its connection cut answers 503 and the next one reconnects."""

from __future__ import annotations

import psycopg
import pytest

from tests.server.api_client import Api, SeatClient, assert_error
from tests.server.conftest import ServerFactory


def _cut_server_connections(database_url: str) -> int:
    """Terminate every other backend on the test's database, as a PostgreSQL restart would."""
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    return len(rows)


def test_cut_database_connections_give_503_then_recover(server_factory: ServerFactory, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("only a database server can drop pooled connections")
    seat = SeatClient.register(Api(server_factory().url))
    assert seat.push([seat.case_created(1)]).status_code == 200
    assert seat.pull().status_code == 200
    assert _cut_server_connections(database_url) >= 1
    statuses = []
    for _ in range(5):
        resp = seat.pull()
        statuses.append(resp.status_code)
        if resp.status_code == 503:
            assert_error(resp, 503, "database_unavailable")
        if resp.status_code == 200:
            break
    assert statuses[-1] == 200, statuses
    assert set(statuses) <= {200, 503}, statuses
    push = seat.push([seat.case_created(2)])  # nothing was lost: the next case goes in after the first
    assert push.status_code in (200, 503), push.text
    if push.status_code == 503:
        push = seat.push([seat.case_created(2)])
    assert push.json()["last_applied_seq"] == 2

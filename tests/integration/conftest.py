"""A real central server on loopback for seat ↔ server tests, and helpers to look at what it holds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, start_in_thread
from operator_app.seat import Seat
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from tests.server.conftest import pg_cluster  # noqa: F401 - the throwaway PostgreSQL cluster fixture
from tests.server.pg_cluster import PgCluster


def start_server(db_url: str, *, port: int = 0, **settings: Any) -> EmbeddedServer:
    return start_in_thread(db_url, port=port, settings=Settings(access_log=False, **settings))


_pg_numbers = itertools.count(1)


@contextmanager
def server_on(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> Iterator[tuple[EmbeddedServer, str]]:
    """The embedded server, seeded with the demo city, on a fresh database of the test's parameter (sqlite or
    postgresql: a database of its own in the throwaway cluster), and that database's URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.sqlite'}"
        srv = start_server(url)
        try:
            yield srv, url
        finally:
            srv.stop()
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"{prefix}_{next(_pg_numbers)}"
    admin_url = cluster.url("postgres").replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    srv = start_server(cluster.url(name))
    try:
        yield srv, cluster.url(name)
    finally:
        srv.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedServer]:
    """The embedded server on a fresh database, seeded with the demo city: on SQLite and on real PostgreSQL."""
    with server_on(request, tmp_path, "seat_sync") as (srv, _url):
        yield srv


def engine_for(seat: Seat, url: str, secrets: SecretStore | None = None, *, batch_size: int = 500) -> SyncEngine:
    return SyncEngine(seat.store, ServerClient(url), secrets or SecretStore(None), batch_size=batch_size)


def token(url: str, username: str = "admin") -> str:
    resp = requests.post(f"{url}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD},
                         timeout=10)
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def server_cases(url: str, operator_id: str) -> list[dict[str, Any]]:
    """The cases the server holds for an operator, as the API lists them."""
    headers = {"Authorization": f"Bearer {token(url)}"}
    cases: list[dict[str, Any]] = []
    while True:
        resp = requests.get(f"{url}/api/v1/operators/{operator_id}/cases", headers=headers,
                            params={"limit": 500, "offset": len(cases)}, timeout=10)
        resp.raise_for_status()
        page = resp.json()["cases"]
        cases.extend(page)
        if len(page) < 500:
            return cases


def act(url: str, number: str, action: str, **extra: Any) -> dict[str, Any]:
    resp = requests.post(f"{url}/api/v1/cases/{number}/actions", json={"action": action, **extra},
                         headers={"Authorization": f"Bearer {token(url)}"}, timeout=10)
    assert resp.status_code < 300, resp.text
    return dict(resp.json())

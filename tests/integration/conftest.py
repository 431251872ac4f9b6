"""A real central server on loopback for seat ↔ server tests, and helpers to look at what it holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, start_in_thread
from operator_app.seat import Seat
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore


def start_server(db_url: str, *, port: int = 0, **settings: Any) -> EmbeddedServer:
    return start_in_thread(db_url, port=port, settings=Settings(access_log=False, **settings))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    srv = start_server(f"sqlite:///{tmp_path / 'central.sqlite'}")
    yield srv
    srv.stop()


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

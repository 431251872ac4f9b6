"""Dropped connections, delays, 502s, truncated answers, and a server killed mid-push: 0 lost, 0 duplicated."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from central_server.embedded import EmbeddedServer
from contract.city.model import City
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.seat import Seat
from operator_app.services.case_queries import outbox_summary
from operator_app.services.intake import submit_case
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from tests.conftest import REPO
from tests.core.helpers import direct_form
from tests.integration.conftest import engine_for, server_cases
from tests.integration.fault_proxy import FaultProxy


def queue(seat: Seat, city: City, n: int) -> list[str]:
    return [submit_case(seat.store, city, form=direct_form(city, content=f"第{i}件"), operator_id="1001").number
            for i in range(n)]


def drain(engine: SyncEngine, seat: Seat, *, passes: int, login: bool = True) -> int:
    """Keep syncing like the worker does until the queue is empty; returns how many passes failed."""
    failures = 0
    for _ in range(passes):
        try:
            if login and not engine.logged_in:
                engine.login("1001", DEMO_PASSWORD)
            engine.run_once()
            if outbox_summary(seat.store).pending == 0:
                return failures
        except SyncError as exc:
            assert exc.kind is SyncErrorKind.NETWORK, exc
            failures += 1
            time.sleep(0.02)
    raise AssertionError(f"queue not drained after {passes} passes")


def assert_exactly_once(url: str, numbers: list[str]) -> None:
    held = [c["number"] for c in server_cases(url, "1001")]
    assert len(held) == len(set(held)), "a case was stored twice"
    assert sorted(held) == sorted(numbers), "a case was lost"


def test_fault_injecting_proxy(seat: Seat, city: City, server: EmbeddedServer) -> None:
    numbers = queue(seat, city, 60)
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    proxy = FaultProxy((host, int(port)), seed=7, weights={
        "pass": 0.35, "drop": 0.15, "delay": 0.15, "bad_gateway": 0.15, "truncate": 0.2})
    try:
        engine = engine_for(seat, proxy.url, batch_size=7)
        engine.client.http.headers["Connection"] = "close"  # a new connection, so a new fault draw, per request
        failures = drain(engine, seat, passes=400)
    finally:
        proxy.stop()
    assert failures > 0 and proxy.counts["truncate"] > 0 and proxy.counts["bad_gateway"] > 0
    assert_exactly_once(server.url, numbers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CENTRAL_SERVER_SECRET_KEY="test-only-secret-key-for-restarts-0123456789")
    proc = subprocess.Popen([sys.executable, "-m", "central_server", "serve", "--db", db, "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_server_killed_and_restarted_mid_push(seat: Seat, city: City, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite'}"
    for command in ("init-db", "seed-demo"):
        subprocess.run([sys.executable, "-m", "central_server", command, "--db", db], cwd=REPO, check=True,
                       capture_output=True)
    numbers = queue(seat, city, 400)
    port = _free_port()
    proc = _serve(db, port)
    url = f"http://127.0.0.1:{port}"
    engine = engine_for(seat, url, batch_size=20)
    engine.login("1001", DEMO_PASSWORD)
    errors: list[BaseException] = []
    worker = threading.Thread(target=lambda: _catch(engine.run_once, errors))
    worker.start()
    while outbox_summary(seat.store).pending > 300:  # kill it while batches are flowing
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    worker.join(60)
    assert errors and isinstance(errors[0], SyncError) and errors[0].kind is SyncErrorKind.NETWORK
    assert 0 < outbox_summary(seat.store).pending < 400
    proc = _serve(db, port)
    try:
        drain(engine, seat, passes=20)
        assert_exactly_once(url, numbers)
    finally:
        proc.terminate()
        proc.wait(10)


def _catch(fn: object, errors: list[BaseException]) -> None:
    try:
        fn()  # type: ignore[operator]
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        errors.append(exc)

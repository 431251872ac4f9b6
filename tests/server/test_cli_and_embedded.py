"""The `central-server` command line, the embedded runner, migrations vs models, and logs without secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from central_server.cli import main
from central_server.db.engine import make_engine
from central_server.db.models import Base
from central_server.embedded import start_in_thread
from central_server.services.demo import DEMO_PASSWORD
from tests.server.api_client import Api, SeatClient
from tests.server.conftest import ServerFactory


def test_cli_init_create_user_and_dept_act(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["seed-demo", "--db", url]) == 2  # not initialised yet: plain words, non-zero
    assert "init-db" in capsys.readouterr().err
    assert main(["init-db", "--db", url]) == 0
    monkeypatch.setenv("CENTRAL_SERVER_NEW_PASSWORD", "a-long-password")
    assert main(["create-user", "--db", url, "--username", "1001", "--name", "李晓梅", "--role", "operator"]) == 0
    assert main(["create-user", "--db", url, "--username", "1001", "--name", "x", "--role", "operator"]) == 1
    assert "already exists" in capsys.readouterr().err
    monkeypatch.delenv("CENTRAL_SERVER_NEW_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["create-user", "--db", url, "--username", "1002", "--name", "x", "--role", "admin"]) == 2
    assert main(["dept", "act", "--db", url, "--case", "S001-20260301-0001", "--action", "sign"]) == 1
    assert "no case numbered" in capsys.readouterr().err


def test_dept_act_moves_a_pushed_case(server_factory: ServerFactory, database_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    seat.push([seat.case_created(1)])
    number = "S001-20260301-0001"
    assert main(["dept", "act", "--db", database_url, "--case", number, "--action", "sign"]) == 0
    assert main(["dept", "act", "--db", database_url, "--case", number, "--action", "return"]) == 1
    assert "needs a reason" in capsys.readouterr().err
    assert main(["dept", "act", "--db", database_url, "--case", number, "--action", "extend", "--reason", "勘查",
                 "--new-finish-by", "2099-01-01T18:00"]) == 0
    assert "2099-01-01T18:00:00+08:00" in capsys.readouterr().out
    changes, _ = seat.pull_all()
    assert [c["data"]["event"]["kind"] for c in changes] == ["created", "signed", "extended"]


def test_embedded_server_seeds_the_demo_city(tmp_path: Path) -> None:
    srv = start_in_thread(f"sqlite:///{tmp_path / 'embedded' / 'central.sqlite'}")
    try:
        health = requests.get(srv.url + "/api/v1/health", timeout=10).json()
        assert health["status"] == "ok" and health["database"] == "sqlite"
        for username in ("1001", "2001", "3001", "admin"):
            assert Api(srv.url).login(username, DEMO_PASSWORD)["user"]["username"] == username
    finally:
        srv.stop()
    assert not srv.thread.is_alive()


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_no_secret_in_logs(server_factory: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = Api(server_factory(access_log=True).url)
    seat = SeatClient.register(api)
    seat.push([seat.case_created(1)])
    seat.pull()
    api.post("/auth/login", {"username": "1001", "password": "wrong-password-xyz"})
    text = caplog.text
    assert "push seat=" in text and "POST /api/v1/sync/push" in text  # the logs were captured
    secrets = [seat.credential, seat.auth["Authorization"].split()[1], "test-pass-1234", "wrong-password-xyz",
               "13800000000", "张三", "李晓梅"]
    assert [s for s in secrets if s in text] == []


def test_serve_with_several_workers_shares_one_token_key(tmp_path: Path) -> None:
    """`serve --workers 2`: every process accepts a token another issued (one secret key handed to all, in the
    environment), whichever process a new connection lands on."""
    import os
    import socket
    import subprocess
    import sys
    import time


    db = f"sqlite:///{tmp_path / 'central.sqlite'}"
    for command in ("init-db", "seed-demo"):
        subprocess.run([sys.executable, "-m", "central_server", command, "--db", db], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRAL_SERVER_")}
    proc = subprocess.Popen([sys.executable, "-m", "central_server", "serve", "--db", db, "--port", str(port),
                             "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.2)
        token = requests.post(f"{url}/auth/login", json={"username": "1001", "password": DEMO_PASSWORD},
                              timeout=30).json()["access_token"]
        statuses = {requests.get(f"{url}/operators/1001/cases", headers={"Authorization": f"Bearer {token}",
                                                                         "Connection": "close"},
                                 timeout=30).status_code for _ in range(24)}
        assert statuses == {200}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    log = err.decode("utf-8", "replace")
    assert log.count("Started server process") >= 2, log[-2000:]
    assert "secret" not in log.lower()

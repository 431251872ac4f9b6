"""Fixtures for the central server tests: a fresh database per test (SQLite and PostgreSQL) and a live server."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import update

from central_server.core.config import Settings
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.db.models import User
from central_server.embedded import EmbeddedServer, serve_app_in_thread
from central_server.main import create_app
from central_server.services.users import create_user
from tests.server.api_client import PASSWORD
from tests.server.pg_cluster import PgCluster, find_pg_bin, start_cluster

# (username, name, role, active)
USERS = [
    ("1001", "李晓梅", "operator", True),
    ("1002", "王建国", "operator", True),
    ("2001", "黄秀英", "team_lead", True),
    ("3001", "林雅琴", "trainer", True),
    ("admin", "管理员", "admin", True),
    ("1099", "已离职", "operator", False),
]
PG_TEMPLATE = "central_template"
_db_numbers = itertools.count(1)


def build_template(url: str) -> None:
    """Migrate to head and add the test users; copied (SQLite) or cloned (PostgreSQL) for each test."""
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        with session_factory(engine)() as session:
            for username, name, role, active in USERS:
                create_user(session, username=username, name=name, role=role, password=PASSWORD)
                if not active:
                    session.execute(update(User).where(User.id == username).values(active=False))
                    session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server-template") / "central.sqlite"
    build_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    cluster = start_cluster(bin_dir)
    try:
        with psycopg.connect(cluster.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {PG_TEMPLATE}")
        build_template(cluster.url(PG_TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the schema and the test users, on each back end."""
    if request.param == "sqlite":
        path = tmp_path / "central.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"test_{next(_db_numbers)}"
    admin_url = cluster.url("postgres").replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    yield cluster.url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


ServerFactory = Callable[..., EmbeddedServer]


@pytest.fixture
def server_factory(database_url: str) -> Iterator[ServerFactory]:
    """Start a live server on loopback on the test's database; keyword arguments override Settings."""
    started: list[EmbeddedServer] = []

    def start(**overrides: object) -> EmbeddedServer:
        values: dict[str, object] = {"database_url": database_url, "access_log": False, **overrides}
        settings = Settings(**values)  # type: ignore[arg-type]
        srv = serve_app_in_thread(create_app(settings), access_log=settings.access_log,
                                  log_level="info" if settings.access_log else "warning")
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def server(server_factory: ServerFactory) -> EmbeddedServer:
    return server_factory()

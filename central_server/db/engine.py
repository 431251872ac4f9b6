"""Engines for SQLite (embedded default) and PostgreSQL (psycopg 3), and the session factory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from central_server.core.errors import ServerError


class DatabaseUrlError(ServerError):
    code = "database_url"


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// as psycopg 3; reject other back ends in plain words."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://...")


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the "begin" listener starts transactions, so SAVEPOINT works
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE: take the write lock up front, so a read-then-write transaction never fails to upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class SqliteKeyError(ServerError):
    code = "sqlite_key"


def _sqlcipher_creator(path: Path, key: str) -> Any:
    """Connections to an SQLCipher file unlocked with a raw 32-byte key (64 hex digits): no passphrase derivation,
    so a new connection costs well under a millisecond. The file is made 0600 (its -wal and -shm follow)."""
    try:
        raw = bytes.fromhex(key)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise SqliteKeyError("the SQLite key must be 64 hexadecimal digits (32 random bytes)")
    import sqlcipher3.dbapi2 as sqlcipher

    def connect() -> Any:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        con = sqlcipher.connect(str(path), check_same_thread=False, timeout=30)
        try:
            con.execute("PRAGMA cipher_log_level = NONE")
            con.execute(f"PRAGMA key = \"x'{raw.hex()}'\"")
            con.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # a wrong key fails here, plainly
        except BaseException:
            con.close()
            raise
        return con

    return sqlcipher, connect


def make_engine(url: str, *, pool_size: int = 16, sqlite_key: SecretStr | str | None = None) -> Engine:
    """An engine for url; with `sqlite_key` (SQLite only) the file is an SQLCipher database opened with that key."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        key = sqlite_key.get_secret_value() if isinstance(sqlite_key, SecretStr) else sqlite_key
        if key and parsed.database and parsed.database != ":memory:":
            module, creator = _sqlcipher_creator(Path(parsed.database), key)
            engine = create_engine(url, module=module, creator=creator)
        else:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pool_size connections stay open (opening one costs PostgreSQL a process fork); the other endpoints may
    # open as many again for a burst. No pre-ping (a round trip per request): a connection a database restart
    # cut fails its request with 503 (api/errors.py), SQLAlchemy drops the pool, and the retry reconnects.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autobegin=True)


def backend_name(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else engine.dialect.name

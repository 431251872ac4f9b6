"""The seat's practice store: `practice.db` beside the real store, apart from it in every way but the key.

Isolation: practice never opens the real store (seat.sqlite). This file has no cases, no events and no outbox;
its numbers come from its own day sequence (练-…), and its attempts reach the server only through
`POST /api/v1/practice/attempts` (operator_app/practice/upload.py), never through the real sync queue.

Encryption: trainees type whatever they like into a practice form (names, phones, addresses), so the file is an
SQLCipher file like the real store, and it uses the real store's own key (Purpose.SEAT_STORE, through
operator_app/store/encryption.py `unlock`): no second secret to keep, lose or back up, and a data directory whose
key is lost loses both the same way. A plain practice.db (none is written by this code) would be encrypted in
place by `unlock` as the real store's is.

Schema versioning: a number in the `meta` table and `create_all`, not Alembic. The store is small and half of it
is a cache of what the server publishes (scenarios, assignments) that the next refresh rebuilds; the attempts are
the seat's copy of what it sends to the server, which keeps the score that counts. Opening must stay fast for the
practice window (Alembic's import alone costs more than opening this file). A later version that changes a table
adds an upgrade step in `_upgrade` for the versions before it; a file written by a newer version is refused, never
rewritten.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    event,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError

from operator_app.errors import StoreError
from operator_app.store.encryption import DB_ERRORS, keyed_engine, unlock
from operator_app.store.keys import DbKey, Purpose

PRACTICE_FILE = "practice.db"
SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# Published scenarios as the server last sent them (Scenario.to_dict()); replaced whole by each refresh.
scenarios = Table(
    "scenarios", metadata,
    Column("id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("body_json", Text, nullable=False),
    Column("updated_at", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False),  # the server's order
)

# Each trainee's assignments (GET /assignments answers "mine"), as the server sent them; replaced per trainee.
assignments = Table(
    "assignments", metadata,
    Column("trainee_id", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("body_json", Text, nullable=False),
    Column("position", Integer, nullable=False),
)

ATTEMPT_STATES = ("pending", "sent", "refused")
attempts = Table(
    "attempts", metadata,
    Column("id", Text, primary_key=True),  # uuid, made here; the server's attempt id (idempotent)
    Column("trainee_id", Text, nullable=False),
    Column("scenario_id", Text, nullable=False),
    Column("scenario_version", Integer, nullable=False),
    Column("scenario_json", Text, nullable=False),  # the scenario as played (its key, for the result screen)
    Column("assignment_id", Text, nullable=True),
    Column("number", Text, nullable=False, unique=True),  # 练-S001-20261205-0003
    Column("answers_json", Text, nullable=False),  # CaseInput.to_dict()
    Column("cited_json", Text, nullable=False),  # knowledge-base article ids
    Column("local_score_json", Text, nullable=False),  # Score.to_dict() as scored here
    Column("server_score_json", Text, nullable=True),  # the server's Score.to_dict(), the one that counts
    Column("seconds", Float, nullable=False),
    Column("time_limit_seconds", Integer, nullable=False),
    Column("suggestions_shown", Boolean, nullable=False),
    Column("validated", Boolean, nullable=False),  # False: an exam whose time ran out, scored as it stood
    Column("started_at", Text, nullable=False),
    Column("submitted_at", Text, nullable=False),
    Column("state", Text, nullable=False),  # pending | sent | refused
    Column("last_error", Text, nullable=False, default=""),
    Column("tries", Integer, nullable=False, default=0),
    Column("sent_at", Text, nullable=True),
)
Index("attempts_trainee", attempts.c.trainee_id, attempts.c.submitted_at)
Index("attempts_state", attempts.c.state, attempts.c.submitted_at)

# The practice numbers' own day sequence (never the real store's day_counters).
practice_days = Table(
    "practice_days", metadata,
    Column("day", Text, primary_key=True),  # YYYYMMDD, the city's local day
    Column("last_seq", Integer, nullable=False),
)


class PracticeStore:
    """The practice database of one seat. `write()` is one BEGIN IMMEDIATE transaction; `read()` a snapshot.
    Safe to use from worker threads (each transaction takes its own pooled connection)."""

    def __init__(self, path: Path, seat_code: str, write_engine: Engine, read_engine: Engine) -> None:
        self.path = path
        self.seat_code = seat_code
        self._write_engine = write_engine
        self._read_engine = read_engine
        self.upload_lock = threading.Lock()  # one upload at a time: an attempt is never sent twice at once

    @classmethod
    def open(cls, data_dir: Path, *, seat_code: str) -> PracticeStore:
        """Open (or create) data_dir/practice.db with the real store's key; `seat_code` numbers the attempts.
        Raises StoreError (KeyMissingError when the seat's key is gone) with a message in plain words."""
        data_dir = Path(data_dir)
        path = data_dir / PRACTICE_FILE
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            key = unlock(path, Purpose.SEAT_STORE)
            write_engine = _engine(path, key, immediate=True)
            read_engine = _engine(path, key, immediate=False)
            with write_engine.begin() as conn:
                _prepare_schema(conn)
        except (OSError, DBAPIError, *DB_ERRORS) as exc:  # type: ignore[misc]  # mypy does not follow the unpacking
            raise StoreError(f"练习库 {path} 无法打开（文件损坏，或不是本座席的密钥）：{exc}") from exc
        return cls(path, seat_code, write_engine, read_engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._read_engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        self._write_engine.dispose()
        self._read_engine.dispose()


def _engine(path: Path, key: DbKey, *, immediate: bool) -> Engine:
    engine = keyed_engine(path, key)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the begin event below starts transactions
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _prepare_schema(conn: Connection) -> None:
    meta.create(conn, checkfirst=True)
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is not None and int(found) > SCHEMA_VERSION:
        raise StoreError(f"练习库由更新版本的程序创建（版本 {found}），本程序只认识到版本 {SCHEMA_VERSION}；"
                         f"请升级本程序。文件保持原样。")
    if found is not None and int(found) < SCHEMA_VERSION:
        _upgrade(conn, int(found))
    metadata.create_all(conn, checkfirst=True)
    if found is None:
        conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))


def _upgrade(conn: Connection, found: int) -> None:
    """Steps from older schema versions to SCHEMA_VERSION (none yet: version 1 is the first)."""
    raise StoreError(f"练习库的版本 {found} 无法升级到 {SCHEMA_VERSION}")

"""Open the seat's SQLite store: WAL, durable commits, migrations to head, one write path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select

from operator_app.errors import StoreError
from operator_app.ids import SeatId, new_uuid
from operator_app.store import schema

# The newest migration in migrations/versions; a test checks it matches Alembic's head.
SCHEMA_HEAD = "0004_quarantine"
DB_FILE = "seat.sqlite"


@dataclass(frozen=True)
class SeatInfo:
    seat_id: SeatId
    seat_code: str


def utc_now() -> str:
    """Now as UTC ISO-8601 with milliseconds; the store's one time format."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's begin event below decides how transactions start
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _engine(path: Path, *, immediate: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """The seat's database. Writes go through `write()`, which the UI calls only from its write worker."""

    def __init__(self, path: Path, seat: SeatInfo, write_engine: Engine, read_engine: Engine) -> None:
        self.path = path
        self.seat = seat
        self._write_engine = write_engine
        self._read_engine = read_engine

    @classmethod
    def open(cls, data_dir: Path, *, seat_code: str) -> Store:
        """Open or create the store in data_dir; the seat code is fixed when the store is first made."""
        path = data_dir / DB_FILE
        try:
            _migrate_if_needed(path)
            write_engine = _engine(path, immediate=True)
            read_engine = _engine(path, immediate=False)
            seat = _ensure_seat(write_engine, seat_code)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the local store {path}: {exc}") from exc
        return cls(path, seat, write_engine, read_engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); everything inside commits or nothing does."""
        with self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot; safe from any thread, concurrent with the writer (WAL)."""
        with self._read_engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        self._write_engine.dispose()
        self._read_engine.dispose()


def _current_revision(path: Path) -> str | None:
    if not path.exists():
        return None
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return row[0] if row else None


def _migrate_if_needed(path: Path) -> None:
    """Upgrade to SCHEMA_HEAD; Alembic is imported only when there is work to do (keeps start-up fast)."""
    current = _current_revision(path)
    if current == SCHEMA_HEAD:
        return
    from operator_app.store.migrate import upgrade_to_head

    upgrade_to_head(path, current)


def _ensure_seat(engine: Engine, seat_code: str) -> SeatInfo:
    with engine.begin() as conn:
        row = conn.execute(select(schema.seat.c.seat_id, schema.seat.c.seat_code)).first()
        if row is not None:
            return SeatInfo(SeatId(row.seat_id), row.seat_code)
        seat_id = SeatId(new_uuid())
        conn.execute(insert(schema.seat).values(seat_id=seat_id, seat_code=seat_code, created_at=utc_now()))
        conn.execute(
            insert(schema.sync_state).values(seat_id=seat_id, pull_cursor=0, last_acked_seq=0, protocol_version=1)
        )
        return SeatInfo(seat_id, seat_code)

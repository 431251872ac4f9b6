"""Open the seat's SQLite store: WAL, durable commits, migrations to head, one write path."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, select
from sqlalchemy.exc import DBAPIError

from operator_app.errors import StoreDamaged, StoreError, StoreMissing
from operator_app.ids import SeatId, new_uuid
from operator_app.store import schema
from operator_app.store.encryption import DB_ERRORS, is_plain, keyed_engine, open_keyed, unlock
from operator_app.store.identity import SeatIdentity, load_identity, save_identity
from operator_app.store.integrity import (
    CheckImpossible,
    check_store,
    damage_kind,
    forget_verified,
    record_verified,
    unchanged_since_verified,
)
from operator_app.store.keys import DbKey, KeyLocation, Purpose, database_key

# The newest migration in migrations/versions; a test checks it matches Alembic's head.
SCHEMA_HEAD = "0004_quarantine"
DB_FILE = "seat.sqlite"
BACKUP_DIR = "backups"  # beside the store; its files use the store's key
log = logging.getLogger(__name__)


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


def _engine(path: Path, key: DbKey, *, immediate: bool) -> Engine:
    engine = keyed_engine(path, key)
    event.listen(engine, "connect", _pragmas)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """The seat's database. Writes go through `write()`, which the UI calls only from its write worker."""

    key_location = KeyLocation.KEYRING  # where the store's key is kept (the desk says so when it is a file)

    def __init__(self, path: Path, seat: SeatInfo, write_engine: Engine, read_engine: Engine) -> None:
        self.path = path
        self.seat = seat
        self._write_engine = write_engine
        self._read_engine = read_engine
        self.damage: StoreDamaged | None = None  # set when SQLite reports the file damaged: writes are refused

    @classmethod
    def open(cls, data_dir: Path, *, seat_code: str, new_store_for: SeatIdentity | None = None) -> Store:
        """Open the store in data_dir after its check, or create it for a new seat (with seat_code).

        Raises StoreDamaged when the file fails its check (nothing is written into it), and StoreMissing when
        it is gone or empty while this seat existed (its identity, kept outside the store, or its backups say
        so): a store is never replaced silently. `new_store_for` is the caller's explicit choice of a new empty
        store for that same seat (operator_app/store/recovery.py); its cases come back through the sync."""
        path = data_dir / DB_FILE
        known = load_identity(data_dir)
        _check_before_open(path, data_dir, known, new_store_for=new_store_for)
        try:
            key = unlock(path, Purpose.SEAT_STORE)
            _encrypt_plain_backups(data_dir, key)
            _migrate_if_needed(path, key)
            write_engine = _engine(path, key, immediate=True)
            read_engine = _engine(path, key, immediate=False)
            seat = _ensure_seat(write_engine, seat_code, known=new_store_for or known)
        except DB_ERRORS as exc:
            raise StoreError(f"cannot open the local store {path} (damaged, or not this seat's key): {exc}") from exc
        if known != SeatIdentity(seat.seat_id, seat.seat_code):
            try:
                save_identity(data_dir, SeatIdentity(seat.seat_id, seat.seat_code))
            except OSError as exc:  # the store itself is fine; the next start tries again
                log.error("could not record the seat identity outside the store: %s", exc)
        forget_verified(path)  # open for writing: a crash before the next clean close means a full check
        store = cls(path, seat, write_engine, read_engine)
        store.key_location = key.location
        return store

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); everything inside commits or nothing does.
        Refused (StoreDamaged) once SQLite has reported the file damaged."""
        if self.damage is not None:
            raise StoreDamaged(self.damage.path, self.damage.problem, kind=self.damage.kind)
        with self._damage_reported(), self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot; safe from any thread, concurrent with the writer (WAL)."""
        with self._damage_reported(), self._read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """SQLite's "malformed" / "not a database" become StoreDamaged, and later writes are refused."""
        try:
            yield
        except DBAPIError as exc:
            text = str(exc.orig)
            kind = damage_kind(getattr(exc.orig, "sqlite_errorcode", 0), text)
            if kind is None:
                raise
            self.damage = StoreDamaged(str(self.path), text, kind=kind)
            log.error("the local store reported damage; writes are refused from now on: %s", text)
            raise StoreDamaged(str(self.path), text, kind=kind) from exc

    def close(self) -> None:
        """Close every connection; a store that reported no damage is recorded as verified (integrity.py)."""
        self._write_engine.dispose()
        self._read_engine.dispose()
        if self.damage is None and self.path.exists():
            record_verified(self.path)


def connect_sqlite(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """The one way to open a raw DB-API connection to the seat store or one of its backups (checks, counts), in
    whichever form the file is: plain, as an older version left it until the store's next open encrypts it, or
    encrypted and unlocked with the seat's key. Raises `DB_ERRORS` (sqlite3's or sqlcipher3's) and, for an
    encrypted file whose key is gone, KeyMissingError."""
    if is_plain(path):
        if readonly:
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        return sqlite3.connect(path)
    data_dir = path.parent.parent if path.parent.name == BACKUP_DIR else path.parent
    key = database_key(data_dir, Purpose.SEAT_STORE, create=False)
    con: sqlite3.Connection = open_keyed(path, key, readonly=readonly)
    return con


def _check_before_open(path: Path, data_dir: Path, known: SeatIdentity | None, *,
                       new_store_for: SeatIdentity | None) -> None:
    """Raise StoreDamaged / StoreMissing (see Store.open); return when the store may be opened or created.
    Runs before a plain store from an older version is encrypted, so a damaged one is reported, not copied."""
    try:
        found = check_store(path, pages=not unchanged_since_verified(path))
    except CheckImpossible as exc:
        raise StoreError(f"cannot open the local store {path}: {exc}") from exc
    if found.state == "damaged":
        raise StoreDamaged(str(path), found.problem, kind=found.kind)
    if found.state in ("missing", "empty"):
        # Backups say a seat lived here even when its identity was never recorded (made before identities were).
        if new_store_for is None and (known is not None or any((data_dir / BACKUP_DIR).glob("*.sqlite"))):
            raise StoreMissing(str(path), empty=found.state == "empty", seat_id=known.seat_id if known else None,
                               seat_code=known.seat_code if known else None)
        return
    if known is not None and found.seat is not None and found.seat.seat_id != known.seat_id:
        raise StoreDamaged(str(path), f"it belongs to seat {found.seat.seat_code} ({found.seat.seat_id}), not to "
                                      f"this data directory's seat {known.seat_code} ({known.seat_id})",
                           kind="other_seat")


def _current_revision(path: Path, key: DbKey) -> str | None:
    if not path.exists():
        return None
    con = open_keyed(path, key)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except DB_ERRORS as exc:
        if "no such table" not in str(exc):
            raise
        return None
    finally:
        con.close()
    return row[0] if row else None


def _migrate_if_needed(path: Path, key: DbKey) -> None:
    """Upgrade to SCHEMA_HEAD; Alembic is imported only when there is work to do (keeps start-up fast)."""
    current = _current_revision(path, key)
    if current == SCHEMA_HEAD:
        return
    from operator_app.store.migrate import upgrade_to_head

    upgrade_to_head(path, current, key)


def _encrypt_plain_backups(data_dir: Path, key: DbKey) -> None:
    """Backups an older version left in plain text are encrypted with the store's key (a header read each).
    One that cannot be (damaged) does not keep the store from opening: it is tried again at the next start."""
    from operator_app.store.encryption import encrypt_in_place, is_plain

    folder = data_dir / BACKUP_DIR
    if folder.is_dir():
        for backup in sorted(folder.glob("*.sqlite")):
            if is_plain(backup):
                try:
                    encrypt_in_place(backup, key)
                except (StoreError, *DB_ERRORS) as exc:  # type: ignore[misc]  # mypy does not follow the unpacking
                    log.warning("plain backup %s could not be encrypted: %s", backup.name, exc)


def _ensure_seat(engine: Engine, seat_code: str, *, known: SeatIdentity | None) -> SeatInfo:
    """The store's seat; a store without one gets the known identity, else a new seat id with seat_code."""
    with engine.begin() as conn:
        row = conn.execute(select(schema.seat.c.seat_id, schema.seat.c.seat_code)).first()
        if row is not None:
            return SeatInfo(SeatId(row.seat_id), row.seat_code)
        seat_id = SeatId(known.seat_id if known else new_uuid())
        seat_code = known.seat_code if known else seat_code
        conn.execute(insert(schema.seat).values(seat_id=seat_id, seat_code=seat_code, created_at=utc_now()))
        conn.execute(
            insert(schema.sync_state).values(seat_id=seat_id, pull_cursor=0, last_acked_seq=0, protocol_version=1)
        )
        return SeatInfo(seat_id, seat_code)

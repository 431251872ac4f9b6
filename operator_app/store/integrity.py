"""Is a store file (the live one or a backup) usable? Read-only: a check never writes into the file it checks."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from operator_app.store.encryption import DB_ERRORS, is_plain
from operator_app.store.identity import SeatIdentity

# Tables every revision of the store has had since the first (migration 0001).
REQUIRED_TABLES = frozenset({"alembic_version", "seat", "sync_state", "cases", "case_events", "outbox",
                             "day_counters"})
# Result codes that mean "cannot look at the file now", not "the file is damaged" (sqlite3.h).
_NOT_DAMAGE = {3: "no permission", 5: "the store is busy", 6: "the store is locked", 8: "read-only",
               14: "cannot open the file"}
_CORRUPT, _NOT_A_DATABASE = 11, 26
_SHOWN_PROBLEMS = 3
# quick_check reads every page: mapped rather than copied into the page cache it takes about half the time
# (100,000-case store, 420 MB: 0.21-0.40 s instead of 0.43-0.67 s on this 2-core machine under load).
_CHECK_MMAP_BYTES = 1 << 30


class CheckImpossible(Exception):
    """The file could not be looked at (permissions, a lock): not a verdict on its contents."""


@dataclass(frozen=True)
class StoreCheck:
    """`state`: good | missing | empty (0 bytes, no tables, or tables but no seat and no rows) | damaged."""

    path: Path
    state: str
    problem: str = ""  # plain words, for a damaged store
    kind: str = ""  # StoreDamaged.kind
    seat: SeatIdentity | None = None
    revision: str | None = None
    cases: int | None = None  # with counts=True
    pending: int | None = None

    @property
    def good(self) -> bool:
        return self.state == "good"


def check_store(path: Path, *, counts: bool = False, pages: bool = True, sidecars_left: bool = True) -> StoreCheck:
    """PRAGMA quick_check (every page: with `pages`), the tables, the seat row; with `counts`, cases and pending
    outbox rows. Without `pages` only the file's first page, its schema and the rows asked for are read: what
    Store.open does for a file that is as its last clean close left it (see `unchanged_since_verified`).

    sidecars_left=False removes the -wal/-shm files a read-only connection makes beside a WAL-mode file that had
    none (for backups, which nobody else opens); the live store keeps them for the next writer.
    Raises CheckImpossible when the file cannot be opened or read for a reason other than its contents."""
    if not path.exists():
        return StoreCheck(path, "missing")
    if path.stat().st_size == 0:
        return StoreCheck(path, "empty")
    try:
        with _reading(path, remove_new_sidecars=not sidecars_left) as con:
            return _check(con, path, counts=counts, pages=pages)
    except DB_ERRORS as exc:  # sqlite3's (a plain file) or sqlcipher3's (an encrypted one)
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in _NOT_DAMAGE:
            raise CheckImpossible(f"{_NOT_DAMAGE[code]}: {exc}") from exc
        kind = damage_kind(code, str(exc)) or "corrupt"
        problem = str(exc)
        if kind == "not_a_database" and not is_plain(path):
            # SQLCipher cannot tell a damaged first page from a key that does not fit: say both.
            problem += " (it cannot be read with this seat's key: damaged, or encrypted with a key that is not this seat's key)"
        return StoreCheck(path, "damaged", problem=problem, kind=kind)


def damage_kind(code: int, text: str) -> str | None:
    """What SQLite's error says of the file: not_a_database, corrupt, or None (not a verdict on the file)."""
    code &= 0xFF
    if code == _NOT_A_DATABASE or "not a database" in text:
        return "not_a_database"
    if code == _CORRUPT or "malformed" in text:
        return "corrupt"
    return None


def _check(con: sqlite3.Connection, path: Path, *, counts: bool, pages: bool) -> StoreCheck:
    con.execute(f"PRAGMA mmap_size = {_CHECK_MMAP_BYTES}")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return StoreCheck(path, "empty")
    results = [str(r[0]) for r in con.execute("PRAGMA quick_check")] if pages else ["ok"]
    if results != ["ok"]:
        shown = "; ".join(results[:_SHOWN_PROBLEMS]) + (f" (and {len(results) - _SHOWN_PROBLEMS} more)"
                                                        if len(results) > _SHOWN_PROBLEMS else "")
        return StoreCheck(path, "damaged", problem=f"the integrity check failed: {shown}", kind="corrupt")
    missing = sorted(REQUIRED_TABLES - tables)
    if missing:
        return StoreCheck(path, "damaged", problem=f"tables are missing: {', '.join(missing)}", kind="no_schema")
    revision_row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = str(revision_row[0]) if revision_row else None
    row = con.execute("SELECT seat_id, seat_code FROM seat").fetchone()
    seat = SeatIdentity(str(row[0]), str(row[1])) if row else None
    cases = pending = None
    if counts or seat is None:
        cases = int(con.execute("SELECT count(*) FROM cases").fetchone()[0])
        pending = int(con.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])
    if seat is None:
        queued = int(con.execute("SELECT count(*) FROM outbox").fetchone()[0])
        if cases or queued:
            return StoreCheck(path, "damaged", problem="the seat row is missing while the store holds cases",
                              kind="no_seat", revision=revision, cases=cases, pending=pending)
        return StoreCheck(path, "empty", revision=revision)  # made, never given a seat: nothing to lose
    return StoreCheck(path, "good", seat=seat, revision=revision, cases=cases, pending=pending)


@contextmanager
def _reading(path: Path, *, remove_new_sidecars: bool) -> Iterator[sqlite3.Connection]:
    from operator_app.store.database import connect_sqlite  # database.py calls this module from Store.open

    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = [p.exists() for p in sidecars]
    con = connect_sqlite(path, readonly=True)
    try:
        yield con
    finally:
        con.close()
        if remove_new_sidecars:
            for sidecar, was_there in zip(sidecars, existed, strict=True):
                if not was_there:  # made by this read-only connection: an empty WAL, an index of it
                    sidecar.unlink(missing_ok=True)


# --- a file as its last clean close left it ------------------------------------------------------------------
# quick_check reads (and, encrypted, decrypts) every page: ~2 s for a 100,000-case store, which a desk start must
# not pay every morning. A clean close records the file's size, modification time and inode beside it; a file that
# still shows them (and has no write-ahead log to replay) has not been written since, by anything, so Store.open
# reads only its first page and schema. A crash, another program's write or a copied file changes them: the
# next open reads every page. (Accidents, not attackers: SQLCipher authenticates every page it reads anyway.)
VERIFIED_SUFFIX = ".verified"


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + VERIFIED_SUFFIX)


def unchanged_since_verified(path: Path) -> bool:
    """True when a clean close recorded this file exactly as it is now, with no write-ahead log left over."""
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return False
        return _marker(path).read_text(encoding="ascii") == _fingerprint(path)
    except OSError:
        return False


def forget_verified(path: Path) -> None:
    """The store is open for writing: until its next clean close, the next open reads every page."""
    _marker(path).unlink(missing_ok=True)


def record_verified(path: Path) -> None:
    """A clean close of a store that reported no damage: the next open may read only the first page."""
    with contextlib.suppress(OSError):  # without it the next open reads every page: slower, never wrong
        marker = _marker(path)
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # like every file of the data dir
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(_fingerprint(path))
        os.chmod(marker, 0o600)  # O_CREAT's mode is masked by the umask

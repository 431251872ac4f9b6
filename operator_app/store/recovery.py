"""Bring back a damaged or missing store: list the backups, restore one in place, or start an empty store for the
same seat. The file being replaced is moved aside (`seat.sqlite.damaged-<time>`, with its -wal/-shm), never
deleted. After either, the sync's restore path (sync/engine.py) sees the server's high-water mark above what the
store made, renumbers the queue above it and pulls the seat's own cases back."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from operator_app.errors import StoreError
from operator_app.store.backup import BACKUP_DIR
from operator_app.store.database import DB_FILE, Store
from operator_app.store.identity import SeatIdentity, load_identity
from operator_app.store.integrity import CheckImpossible, StoreCheck, check_store

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's files beside a database, named after it
_STAMP = re.compile(r"-(\d{8}T\d{12}Z)\.sqlite$")  # backup.take_backup's names
_STATE_PROBLEM = {"empty": "the file is empty", "missing": "the file is missing"}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # UTC
    check: StoreCheck
    problem: str  # why it cannot be restored; "" when it can

    @property
    def good(self) -> bool:
        return not self.problem

    @property
    def cases(self) -> int | None:
        return self.check.cases

    @property
    def pending(self) -> int | None:
        return self.check.pending


@dataclass(frozen=True)
class Restored:
    backup: BackupInfo | None  # None: a new empty store for the same seat
    moved_aside: list[Path]
    seat: SeatIdentity


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """Every backup in `<data_dir>/backups`, each checked: the good ones newest first, then the others."""
    known = load_identity(data_dir)
    found = [_inspect(path, known) for path in (data_dir / BACKUP_DIR).glob("*.sqlite") if path.is_file()]
    found.sort(key=lambda b: b.taken_at, reverse=True)
    found.sort(key=lambda b: not b.good)
    return found


def inspect_backup(path: Path, data_dir: Path) -> BackupInfo:
    """One backup file (in backups/ or elsewhere), checked against this data directory's seat."""
    return _inspect(path, load_identity(data_dir))


def _inspect(path: Path, known: SeatIdentity | None) -> BackupInfo:
    try:
        check = check_store(path, counts=True, sidecars_left=False)
    except CheckImpossible as exc:
        check = StoreCheck(path, "damaged", problem=str(exc), kind="unreadable")
    problem = "" if check.good else (check.problem or _STATE_PROBLEM.get(check.state, check.state))
    if not problem and known is not None and check.seat is not None and check.seat.seat_id != known.seat_id:
        problem = f"it belongs to seat {check.seat.seat_code} ({check.seat.seat_id}), not to {known.seat_code}"
    return BackupInfo(path, _taken_at(path), check, problem)


def _taken_at(path: Path) -> datetime:
    match = _STAMP.search(path.name)
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def restore_backup(data_dir: Path, backup: Path | None = None, *, force: bool = False,
                   now: datetime | None = None) -> Restored:
    """Put a backup in place of the store: the newest good one, or `backup` (a path, or a file name in
    backups/). A store that passes its check is replaced only with `force`. Stop the desk first."""
    if backup is None:
        good = [b for b in list_backups(data_dir) if b.good]
        if not good:
            raise StoreError(f"no backup in {data_dir / BACKUP_DIR} passes its check")
        chosen = good[0]
    else:
        path = backup if backup.exists() or backup.is_absolute() else data_dir / BACKUP_DIR / backup
        if not path.is_file():
            raise StoreError(f"no backup file {path}")
        chosen = inspect_backup(path, data_dir)
        if not chosen.good:
            raise StoreError(f"the backup {path} cannot be restored: {chosen.problem}")
    store = data_dir / DB_FILE
    moved = _make_room(store, force=force, now=now)
    _copy_into_place(chosen.path, store)
    assert chosen.check.seat is not None  # a good backup has its seat row
    return Restored(chosen, moved, chosen.check.seat)


def start_empty(data_dir: Path, *, now: datetime | None = None) -> Restored:
    """A new empty store for this data directory's seat (same id and code, from the identity kept outside the
    store); the seat's cases come back from the central server at the next sync."""
    known = load_identity(data_dir)
    if known is None:
        raise StoreError(f"the seat identity of {data_dir} is not known: restore a backup instead")
    data_dir.mkdir(parents=True, exist_ok=True)
    store = data_dir / DB_FILE
    moved = _make_room(store, force=False, now=now)
    Store.open(data_dir, seat_code=known.seat_code, new_store_for=known).close()
    return Restored(None, moved, known)


def _make_room(store: Path, *, force: bool, now: datetime | None) -> list[Path]:
    try:
        live = check_store(store)
    except CheckImpossible as exc:
        raise StoreError(f"cannot look at the local store {store}: {exc}") from exc
    if live.good and not force:
        raise StoreError(f"the local store {store} passes its check; give --force to replace it anyway "
                         "(it is moved aside, not deleted)")
    return move_aside(store, "replaced" if live.good else "damaged", now=now)


def move_aside(store: Path, label: str, *, now: datetime | None = None) -> list[Path]:
    """Rename the store and its -wal/-shm/-journal to `<name>.<label>-<time>[-wal…]`, kept together so the set
    can still be opened for a closer look. A stray -wal is moved even without its database: left in place it
    would be replayed into the restored file."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = store.with_name(f"{store.name}.{label}-{stamp}")
    n = 1
    while any(Path(f"{base}{s}").exists() for s in ("", *SIDECARS)):
        n += 1
        base = store.with_name(f"{store.name}.{label}-{stamp}-{n}")
    moved = []
    for suffix in ("", *SIDECARS):
        source = Path(f"{store}{suffix}")
        if source.exists():
            target = Path(f"{base}{suffix}")
            os.replace(source, target)
            moved.append(target)
    _sync_dir(store.parent)
    return moved


def _copy_into_place(source: Path, store: Path) -> None:
    """Copy to a temporary name readable only by this account, flush, then rename into place."""
    partial = store.with_name(f"{store.name}.restoring")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb", closefd=False) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(partial, 0o600)
    os.replace(partial, store)
    _sync_dir(store.parent)


def _sync_dir(folder: Path) -> None:
    """Make renames durable (POSIX); Windows has no directory handles to flush."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

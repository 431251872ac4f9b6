"""Rotating backups of the seat store with SQLite's online backup API (call off the GUI thread)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

BACKUP_DIR = "backups"
KEEP = 12


def take_backup(db_path: Path, *, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Copy a consistent snapshot next to the store and delete all but the newest `keep`. Blocks for I/O."""
    folder = db_path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.stem}-{stamp}.sqlite"
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    partial.replace(target)  # a crash mid-copy leaves only a .partial file, never a broken backup
    for old in sorted(folder.glob(f"{db_path.stem}-*.sqlite"))[:-keep]:
        old.unlink(missing_ok=True)
    for stale in folder.glob("*.partial"):
        if stale != partial:
            stale.unlink(missing_ok=True)
    return target

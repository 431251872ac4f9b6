"""SQLCipher files: keyed connections and engines, and the one-time encryption of a plain database in place.

Every database of the seat that holds personal data (the store, its backups, the embedded central server's
database) is an SQLCipher file opened with a raw 32-byte key from operator_app/store/keys.py. The knowledge base
holds public articles and stays a plain SQLite file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine

from operator_app.errors import StoreError
from operator_app.store import keys
from operator_app.store.keys import DbKey, Purpose

log = logging.getLogger(__name__)

# What a raw connection raises: sqlcipher3 has its own exception classes, apart from the standard library's.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
PLAIN_HEADER = b"SQLite format 3\x00"
PRIVATE = 0o600


def create_private(path: Path) -> None:
    """Make an empty file 0600 unless it exists; SQLite then gives its -wal and -shm files the same mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def make_private(path: Path) -> None:
    """Take away group and other access from an existing file (one an older version made 0644)."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, PRIVATE)
    except FileNotFoundError:
        pass


def open_keyed(path: Path, key: DbKey, *, readonly: bool = False, check_same_thread: bool = True) -> Any:
    """A DB-API connection to an SQLCipher file, unlocked and checked: a wrong key or a file that is not a
    database raises sqlcipher3's DatabaseError here, not at some later query."""
    if not readonly:
        create_private(path)
    uri = f"file:{quote(str(path))}?mode={'ro' if readonly else 'rw'}"
    con = sqlcipher.connect(uri, uri=True, check_same_thread=check_same_thread)
    try:
        con.execute("PRAGMA cipher_log_level = NONE")  # no "hmac check failed" lines on stderr: we raise instead
        con.execute(key.pragma)
        con.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except BaseException:
        con.close()
        raise
    return con


def keyed_engine(path: Path, key: DbKey) -> Engine:
    """A SQLAlchemy engine whose connections are keyed SQLCipher connections (DB-API errors wrapped as usual)."""
    return create_engine(f"sqlite:///{path}", module=sqlcipher,
                         creator=lambda: open_keyed(path, key, check_same_thread=False))


def is_plain(path: Path) -> bool:
    """A plain (unencrypted) SQLite file: what versions before encryption wrote."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def unlock(path: Path, purpose: Purpose) -> DbKey:
    """The key of the database at path; made on first use, and a plain file from an older version is encrypted
    in place first. A database whose key is lost raises KeyMissingError and is left as it is."""
    plain = is_plain(path)
    fresh = not path.exists() or path.stat().st_size == 0
    key = keys.database_key(path.parent, purpose, create=plain or fresh)
    if plain:
        encrypt_in_place(path, key)
    make_private(path)
    return key


def encrypt_in_place(path: Path, key: DbKey) -> None:
    """Replace the plain database at path by an encrypted copy, nothing lost.

    The copy is made beside it (sqlcipher_export), checked table by table against the original's row counts,
    made durable, and only then renamed over the original, so a crash at any point leaves either the plain file
    (encrypted again at the next start) or the encrypted one, never neither.
    """
    partial = path.with_name(path.name + ".encrypting")
    partial.unlink(missing_ok=True)
    try:
        counts = _export(path, partial, key)
        _verify(partial, key, counts, path)
        _fsync(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)  # empty after the switch to DELETE mode; the plain file's, not the copy's
    os.replace(partial, path)
    _fsync(path.parent)
    log.info("encrypted %s in place (%d tables)", path.name, len(counts))


def _export(path: Path, partial: Path, key: DbKey) -> dict[str, int]:
    """Copy the plain database into a new encrypted file; the original's row counts per table."""
    plain = sqlcipher.connect(str(path), isolation_level=None)
    try:
        plain.execute("PRAGMA cipher_log_level = NONE")
        plain.execute("PRAGMA busy_timeout = 5000")
        # Fold the WAL into the file and leave WAL mode: a plain -wal must not outlive the plain file.
        mode = plain.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise StoreError(f"{path} 正被其他程序使用，无法加密，请关闭后重试")
        counts = _row_counts(plain)
        user_version = plain.execute("PRAGMA user_version").fetchone()[0]
        create_private(partial)
        plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(partial), f"x'{key.raw.hex()}'"))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(user_version)}")
        plain.execute("DETACH DATABASE encrypted")
        return counts
    finally:
        plain.close()


def _verify(partial: Path, key: DbKey, counts: dict[str, int], path: Path) -> None:
    check = open_keyed(partial, key)
    try:
        copied = _row_counts(check)
        if copied != counts:
            raise StoreError(f"{path} 加密副本与原文件行数不一致，原文件保留未动：{counts} ≠ {copied}")
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError(f"{path} 加密副本校验失败，原文件保留未动")
    finally:
        check.close()


def _row_counts(con: Any) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The keys of the seat's encrypted databases: random 32-byte keys, one per database and seat.

A key lives in the OS keyring, or, where this machine has no secure keyring, in a file only this OS account can
read (0600 in a 0700 folder) in the platform's user config folder, never in the data directory. The data
directory holds only `db-keys.json`, which names each database's key (a random id, not a secret): a data
directory copied or moved on the same account still opens, and one taken to another machine does not.

A key is made only together with its name, for a database that does not exist yet (or is still plain): a named
key that cannot be found is an error, never a reason to start a new database over the old one.
"""

from __future__ import annotations

import enum
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from operator_app.errors import StoreError
from operator_app.private_files import (
    KEYRING_SERVICE,
    KEYS,
    PRIVATE_DIR_ENV,
    inside,
    make_private_dir,
    private_dir,
    secure_keyring,
    write_private,
)

KEY_REF_FILE = "db-keys.json"
KEY_BYTES = 32


class KeyLocation(enum.Enum):
    KEYRING = "keyring"
    FILE = "file"


class Purpose(enum.Enum):
    """Which database a key opens; each has its own key."""

    SEAT_STORE = "seat_store"  # seat.sqlite and its backups
    CENTRAL = "central"  # the embedded central server's central.sqlite

    @property
    def label(self) -> str:
        return "本地工单库" if self is Purpose.SEAT_STORE else "内置中心服务器数据库"


class DatabaseKeyError(StoreError):
    """A database key cannot be kept or read, so the database cannot be opened; the message is in Chinese."""


class KeyMissingError(DatabaseKeyError):
    """A database's key cannot be found: its data cannot be read, and nothing is created in its place."""


@dataclass(frozen=True)
class DbKey:
    raw: bytes = field(repr=False)
    location: KeyLocation

    @property
    def pragma(self) -> str:
        """The statement that unlocks a connection with this raw key (no passphrase derivation: ~0.2 ms)."""
        return f"PRAGMA key = \"x'{self.raw.hex()}'\""


def key_dir() -> Path:
    """The folder of key files: `keys` in the seat's private folder (operator_app/private_files.py)."""
    return private_dir(KEYS)


def database_key(data_dir: Path, purpose: Purpose, *, create: bool) -> DbKey:
    """The key of one database of the seat in data_dir; with `create`, a new one when it has none yet."""
    refs = _read_refs(data_dir)
    ref = refs.get(purpose.value)
    if ref is not None:
        found = _find(ref)
        if found is None:
            raise KeyMissingError(
                f"本机找不到{purpose.label}（{data_dir}）的密钥，加密的数据无法读取；数据文件保持原样。"
                f"请在原来的系统账户下运行，或从有密钥的电脑恢复。"
                f" (the key named {ref} in {data_dir / KEY_REF_FILE} is neither in the keyring nor in {key_dir()})")
        return found
    if not create:
        raise KeyMissingError(
            f"{data_dir} 中的{purpose.label}已加密或已损坏，且找不到其密钥的记录（{KEY_REF_FILE}），数据无法读取；"
            f"数据文件保持原样。 (no {purpose.value} entry in {data_dir / KEY_REF_FILE})")
    ref = uuid.uuid4().hex
    key = _store_new(data_dir, ref, secrets.token_bytes(KEY_BYTES))
    _write_refs(data_dir, {**refs, purpose.value: ref})  # after the key is saved: a name never points at nothing
    return key


def has_key(data_dir: Path, purpose: Purpose) -> bool:
    """Whether data_dir names a key for `purpose` (found or not)."""
    return purpose.value in _read_refs(data_dir)


def _read_refs(data_dir: Path) -> dict[str, str]:
    try:
        data: Any = json.loads((data_dir / KEY_REF_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise KeyMissingError(f"{data_dir / KEY_REF_FILE} 无法读取，数据库密钥无从查找：{exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise KeyMissingError(f"{data_dir / KEY_REF_FILE} 内容不对，数据库密钥无从查找")
    return data


def _write_refs(data_dir: Path, refs: dict[str, str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    write_private(data_dir / KEY_REF_FILE, json.dumps(refs, indent=1).encode())


def _key_file(ref: str) -> Path:
    return key_dir() / f"{ref}.key"


def _keyring_name(ref: str) -> str:
    return f"db-key:{ref}"


def _find(ref: str) -> DbKey | None:
    """The key file first: where there is one, the keyring (≈0.15 s to set up) is never touched."""
    try:
        text = _key_file(ref).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = None
    except OSError as exc:
        raise KeyMissingError(f"密钥文件 {_key_file(ref)} 无法读取：{exc}") from exc
    if text is not None:
        return DbKey(_decode(text, str(_key_file(ref))), KeyLocation.FILE)
    backend = secure_keyring()
    if backend is None:
        return None
    try:
        stored = backend.get_password(KEYRING_SERVICE, _keyring_name(ref))
    except Exception as exc:  # noqa: BLE001 - any backend failure: the key cannot be read now
        raise KeyMissingError(f"系统密钥环无法读取数据库密钥：{exc}") from exc
    return None if stored is None else DbKey(_decode(stored, "the keyring"), KeyLocation.KEYRING)


def _decode(text: str, where: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyMissingError(f"数据库密钥已损坏（{where}）")
    return raw


def _store_new(data_dir: Path, ref: str, raw: bytes) -> DbKey:
    backend = secure_keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, _keyring_name(ref), raw.hex())
            return DbKey(raw, KeyLocation.KEYRING)
        except Exception:  # noqa: BLE001, S110 - a keyring that refuses to store: fall back to the key file
            pass
    folder = key_dir()
    if inside(folder, data_dir):
        raise DatabaseKeyError(
            f"密钥文件夹 {folder} 位于数据目录之内：密钥不能与数据放在一起（请设置 {PRIVATE_DIR_ENV}）")
    make_private_dir(folder)
    write_private(_key_file(ref), raw.hex().encode())
    return DbKey(raw, KeyLocation.FILE)

"""The seat's private files: one folder outside the data directory, 0700 folders, 0600 files written whole."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from keyring.backends import fail

from operator_app.private_files import (
    IDENTITY,
    KEYS,
    PRIVATE_DIR_ENV,
    SECRETS,
    inside,
    is_secure,
    make_private_dir,
    private_dir,
    write_private,
)
from operator_app.store.identity import SeatIdentity, identity_dir, load_identity, save_identity
from operator_app.store.keys import key_dir
from sync.secrets import secrets_dir
from tests.core.test_encryption import MemoryKeyring


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_one_variable_moves_every_private_folder_and_the_folder_names_stay(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))
    assert (key_dir(), secrets_dir(), identity_dir()) == (
        tmp_path / "config" / "keys", tmp_path / "config" / "secrets", tmp_path / "config" / "seat-identity")
    assert private_dir(KEYS) == key_dir() and private_dir(SECRETS) == secrets_dir()
    assert private_dir(IDENTITY) == identity_dir()


def test_a_private_file_is_0600_in_a_0700_folder_whatever_was_there(tmp_path: Path) -> None:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    make_private_dir(folder)
    assert _mode(folder) == 0o700
    target = folder / "x.json"
    leftover = folder / f"x.json.{os.getpid()}.tmp"  # a crashed write's leftover, readable by others
    leftover.write_text("old", encoding="utf-8")
    os.chmod(leftover, 0o644)
    old_umask = os.umask(0)
    try:
        write_private(target, b"one")
        write_private(target, b"two")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"two" and _mode(target) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["x.json"]


def test_the_seat_identity_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))
    save_identity(tmp_path / "seat", SeatIdentity("seat-1", "S001"))
    [record] = identity_dir().iterdir()
    assert _mode(record) == 0o600 and _mode(identity_dir()) == 0o700 and record.suffix == ".json"
    assert load_identity(tmp_path / "seat") == SeatIdentity("seat-1", "S001")


def test_a_folder_in_the_data_directory_is_inside_it(tmp_path: Path) -> None:
    (tmp_path / "seat" / "keys").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "seat")
    assert inside(tmp_path / "seat", tmp_path / "seat") and inside(tmp_path / "link" / "keys", tmp_path / "seat")
    assert not inside(tmp_path / "config" / "keys", tmp_path / "seat")
    assert not inside(tmp_path / "seat-2", tmp_path / "seat")


def test_only_a_real_keyring_is_secure() -> None:
    assert is_secure(MemoryKeyring()) and not is_secure(fail.Keyring())
    weak = MemoryKeyring()
    weak.priority = 0
    assert not is_secure(weak)

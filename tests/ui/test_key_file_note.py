"""The desk's status bar says, in one note, when the database key or the seat credential is not in an OS keyring."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QLabel

from contract.city.model import City
from operator_app.private_files import KEYS, PRIVATE_DIR_ENV
from operator_app.seat import open_seat
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from tests.keyrings import MemoryKeyring
from ui.shell.app import DeskController, make_application


def test_the_desk_says_when_the_key_is_in_a_file(qtbot, tmp_path: Path, city: City,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))  # no keyring here: a key file in config/keys
    make_application()
    notes: dict[str, list[tuple[str, str]]] = {}
    backend = MemoryKeyring()
    # (data dir, keyring for the database key, where the seat's secrets are kept)
    for where, with_keyring, secrets in (("file", False, SecretStore(None)),
                                         ("key-in-keyring", True, SecretStore(None)),
                                         ("all-in-keyring", True, SecretStore(backend))):  # type: ignore[arg-type]
        if with_keyring:
            monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
        seat = open_seat(tmp_path / where)
        ctl = DeskController(seat, SyncEngine(seat.store, ServerClient("http://127.0.0.1:9"), secrets))
        try:
            ctl.show_login()
            ctl.login("1001")
            assert ctl.desk is not None
            notes[where] = [(w.text(), w.toolTip()) for w in ctl.desk.statusBar().findChildren(QLabel)
                            if w.objectName() == "noKeyring"]
        finally:
            if ctl.desk is not None:
                ctl.desk.close()
            ctl.shutdown()
    [(text, tooltip)] = notes["file"]
    assert text == "无系统密钥环"
    assert f"数据库密钥：保存在仅本系统账户可读的文件夹 {tmp_path / 'config' / KEYS} 中" in tooltip
    assert "座席凭据：只保存在内存中" in tooltip
    [(text, tooltip)] = notes["key-in-keyring"]  # the credential alone is not in a keyring: still one note
    assert text == "无系统密钥环"
    assert "数据库密钥：保存在系统密钥环中" in tooltip and "座席凭据：只保存在内存中" in tooltip
    assert notes["all-in-keyring"] == []


def test_the_note_says_where_the_credential_is_once_the_engine_is_ready(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator who enters without a password before the central server connection is set up: the note is
    there at once (the key is in a file) and learns where the credential is when the engine is ready."""
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))
    make_application()
    seat = open_seat(tmp_path / "seat")
    engine = SyncEngine(seat.store, ServerClient("http://127.0.0.1:9"), SecretStore(None))
    ctl = DeskController(seat, lambda: engine)  # a factory: it runs later, on the sync thread
    try:
        ctl.show_login()
        ctl.login("1001")  # no password: offline, at once
        assert ctl.desk is not None and ctl.engine is None
        [note] = [w for w in ctl.desk.statusBar().findChildren(QLabel) if w.objectName() == "noKeyring"]
        assert "数据库密钥：保存在仅本系统账户可读的文件夹" in note.toolTip() and "座席凭据" not in note.toolTip()
        qtbot.waitUntil(lambda: ctl.engine is engine and "座席凭据：只保存在内存中" in note.toolTip(), timeout=5000)
        assert [w for w in ctl.desk.statusBar().findChildren(QLabel) if w.objectName() == "noKeyring"] == [note]
    finally:
        if ctl.desk is not None:
            ctl.desk.close()
        ctl.shutdown()

"""The desk's status bar says when the database key is kept in a file because there is no OS keyring."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QLabel

from contract.city.model import City
from operator_app.seat import open_seat
from operator_app.store.keys import KEY_DIR_ENV
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from tests.core.test_encryption import MemoryKeyring
from ui.app import DeskController, make_application


def test_the_desk_says_when_the_key_is_in_a_file(qtbot, tmp_path: Path, city: City,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "config" / "keys"))  # no keyring here: a key file
    make_application()
    labels: dict[str, list[QLabel]] = {}
    for where, keyring_backend in (("file", None), ("keyring", MemoryKeyring())):
        if keyring_backend is not None:
            monkeypatch.setattr(keyring, "get_keyring", lambda b=keyring_backend: b)
        seat = open_seat(tmp_path / where)
        ctl = DeskController(seat, SyncEngine(seat.store, ServerClient("http://127.0.0.1:9"), SecretStore(None)))
        try:
            ctl.show_login()
            ctl.login("1001")
            assert ctl.desk is not None
            labels[where] = [w for w in ctl.desk.statusBar().findChildren(QLabel) if w.objectName() == "keyInFile"]
            texts = [(w.text(), w.toolTip()) for w in labels[where]]
        finally:
            if ctl.desk is not None:
                ctl.desk.close()
            ctl.shutdown()
        if where == "file":
            assert texts == [("密钥存于本机文件", "未找到系统密钥环：数据库密钥保存在本机账户专用文件中")]
        else:
            assert texts == []

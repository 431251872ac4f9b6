"""Errors reach a person in Chinese through one path; a broken city file stops start-up with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from operator_app.errors import ConfigError, StoreError
from operator_app.paths import resources_dir
from sync.secrets import SECRETS_FILE, SecretFile, SecretStore
from ui.common.errors import error_text
from ui.shell import app as app_module


def test_error_texts_are_chinese_and_specific(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = error_text(None, ConfigError("roster.toml", "operator #3, field 'role'", "must be one of operator"))
    assert text.startswith("城市配置文件有误") and "roster.toml" in text and "operator #3" in text
    assert "本地数据库无法写入" in error_text(None, StoreError("disk full"))
    assert "KeyError" in error_text(None, KeyError("x")) and "已录入内容仍在表单中" in error_text(None, KeyError("x"))


def test_broken_city_file_stops_start_up_with_a_message(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir() / "city", root / "city")
    (root / "city" / "districts.toml").write_text("[[district]]\nid = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("OPERATOR_APP_RESOURCES", str(root))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: shown.append((title, text)))
    assert app_module.run_desk(data_dir=str(tmp_path / "data")) == 1
    assert shown and shown[0][0] == "无法启动"
    assert "districts.toml" in shown[0][1] and "district #1" in shown[0][1]


def test_memory_only_secrets_are_announced(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    controller.show_login()  # the fixture's engine keeps secrets in memory (no keyring on a test machine)
    controller._engine_ready(controller.engine)
    assert "只保存在内存中" in controller.login_window.note.text() and controller.login_window.note.isVisibleTo(
        controller.login_window)
    controller.login("1001")
    [note] = [w for w in controller.desk.statusBar().findChildren(QLabel) if w.objectName() == "noKeyring"]
    assert note.text() == "无系统密钥环" and "座席凭据：只保存在内存中" in note.toolTip()


def test_secrets_in_a_private_file_are_announced(qtbot, controller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    controller.engine.secrets = SecretStore(None, file=SecretFile(tmp_path / "secrets" / SECRETS_FILE))
    controller.show_login()
    controller._engine_ready(controller.engine)
    assert "仅本系统账户可读的文件" in controller.login_window.note.text()
    controller.login("1001")
    [note] = [w for w in controller.desk.statusBar().findChildren(QLabel) if w.objectName() == "noKeyring"]
    assert note.text() == "无系统密钥环"
    assert f"座席凭据：保存在仅本系统账户可读的文件 {tmp_path / 'secrets' / SECRETS_FILE} 中" in note.toolTip()

"""After a whole desk session against the embedded server, no password, token or credential is on disk or in logs."""

from __future__ import annotations

import logging
from pathlib import Path

from operator_app.logs import setup_logging
from operator_app.seat import open_seat
from operator_app.store.keys import Purpose, database_key
from sync.embedded import DEMO_PASSWORD, start_embedded_server
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore, refresh_token_key, seat_credential_key
from tests.conftest import fresh_seat_dir
from tests.core.helpers import dispatch_form
from ui.shell.app import DeskController, make_application


def test_session_leaves_no_secret_behind(qtbot, tmp_path: Path, migrated_db: Path) -> None:  # type: ignore[no-untyped-def]
    make_application()
    data_dir = fresh_seat_dir(migrated_db, tmp_path / "seat")
    seat = open_seat(data_dir)
    log_file = setup_logging(data_dir, level=logging.DEBUG)
    server = start_embedded_server(data_dir)
    secrets = SecretStore(None)
    engine = SyncEngine(seat.store, ServerClient(server.url), secrets)
    ctl = DeskController(seat, engine)
    try:
        ctl.show_login()
        ctl.login("1001", DEMO_PASSWORD)
        qtbot.waitUntil(lambda: ctl.desk is not None and ctl.desk.ready, timeout=15000)
        desk = ctl.desk
        desk.form.load(dispatch_form(seat.city, content="路灯不亮", phone="13912345678"))
        with qtbot.waitSignal(desk.case_submitted, timeout=5000):
            desk.submit()
        qtbot.waitUntil(lambda: "已同步" in desk.sync_indicator.text(), timeout=15000)
        captured = {
            "password": DEMO_PASSWORD,
            "access": engine._access or "",
            "refresh": secrets.get(refresh_token_key(seat.store.seat.seat_id, "1001")) or "",
            "credential": secrets.get(seat_credential_key(seat.store.seat.seat_id)) or "",
        }
        for purpose in Purpose:  # the databases' keys: in the keyring or the key folder, never in the data dir
            raw = database_key(data_dir, purpose, create=False).raw
            captured[f"{purpose.value} key"] = raw.hex()
            captured[f"{purpose.value} key (bytes)"] = raw.decode("latin-1")
        assert all(captured.values()), "the session should have produced every kind of secret"
        desk.number_dialog.accept()  # type: ignore[union-attr]
        ctl.logout()
        ctl.tasks.network(lambda: None).result(10)
    finally:
        if ctl.login_window is not None:
            ctl.login_window.close()
        ctl.shutdown()
        server.stop()
        logging.getLogger().removeHandler(next(h for h in logging.getLogger().handlers
                                               if getattr(h, "baseFilename", "") == str(log_file)))
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert log_file in files and any(p.name == "central.sqlite" for p in files)
    for path in files:
        blob = path.read_bytes()
        for name, secret in captured.items():
            encoded = secret.encode("latin-1") if name.endswith("(bytes)") else secret.encode()
            assert encoded not in blob, f"{name} found in {path.name}"
        # The store, its backup and the embedded server's database are encrypted: the phone is in none of them.
        assert b"13912345678" not in blob, f"phone in {path.name}"
        if path.parent == log_file.parent:  # the log folder is closed to other accounts
            assert path.parent.stat().st_mode & 0o077 == 0, "the log folder can be entered by other accounts"
        elif not path.name.startswith("kb.sqlite"):  # the knowledge base holds public articles
            assert path.stat().st_mode & 0o077 == 0, f"{path.name} can be read by other accounts"
    assert "13912345678" not in log_file.read_text(encoding="utf-8")

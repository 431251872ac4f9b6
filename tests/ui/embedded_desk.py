"""A desk signed in against the embedded default's real central server, for the end-to-end UI tests: the server
(the demo city, optionally with its demo shift), a DeskController on a fresh seat pointed at it, and sign-in as any
demo person with the demo password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from central_server.core.config import Settings
from central_server.embedded import EmbeddedServer, start_in_thread
from operator_app.seat import open_seat
from sync.embedded import DEMO_PASSWORD
from tests.conftest import fresh_seat_dir
from tests.integration.conftest import engine_for
from ui.shell.app import DeskController, make_application
from ui.shell.desk_window import DeskWindow


@contextmanager
def embedded_server(tmp_path: Path, *, demo_shift: bool = False, **settings: Any) -> Iterator[EmbeddedServer]:
    """The server of the embedded default on tmp_path/central.sqlite, seeded on first start; `settings` override
    the server's Settings (e.g. intake_claim_minutes)."""
    srv = start_in_thread(f"sqlite:///{tmp_path / 'central.sqlite'}",
                          settings=Settings(access_log=False, **settings), demo_shift=demo_shift)
    try:
        yield srv
    finally:
        srv.stop()


@contextmanager
def desk_controller(tmp_path: Path, migrated_db: Path, server: EmbeddedServer) -> Iterator[DeskController]:
    make_application()
    seat = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    ctl = DeskController(seat, engine_for(seat, server.url))
    try:
        yield ctl
    finally:
        if ctl.desk is not None:
            ctl.desk.close()
        if ctl.login_window is not None:
            ctl.login_window.close()
        ctl.shutdown()


def sign_in(qtbot: Any, ctl: DeskController, operator_id: str) -> DeskWindow:
    """Hand the seat over to `operator_id` (signing out whoever is on it) and wait for a ready desk."""
    if ctl.desk is not None:
        ctl.logout()
    elif ctl.login_window is None:
        ctl.show_login()
    ctl.login(operator_id, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: ctl.desk is not None and ctl.desk.session.operator.id == operator_id, timeout=20_000)
    desk = ctl.desk
    assert desk is not None
    qtbot.waitUntil(lambda: desk.ready, timeout=10_000)
    return desk

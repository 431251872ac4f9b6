"""The embedded default: the reference central server in this process, on 127.0.0.1, SQLite in the data dir.

Its database is an SQLCipher file with its own key, kept as the seat store's is (operator_app/store/keys.py); the
server receives the key as a setting, never in its database URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from operator_app.errors import OperatorAppError
from operator_app.store.encryption import DB_ERRORS, unlock
from operator_app.store.keys import Purpose

DEMO_PASSWORD = "demo-12345"  # the documented password of the seeded demo accounts (embedded default only)
CENTRAL_DB = "central.sqlite"


def start_embedded_server(data_dir: Path) -> Any:
    """Start (and on first use initialise and seed, with the demo shift) the central server; returns an object with
    .url and .stop()."""
    from pydantic import SecretStr

    from central_server.core.config import Settings
    from central_server.embedded import start_in_thread

    path = data_dir / CENTRAL_DB
    try:
        key = unlock(path, Purpose.CENTRAL)  # a plain central.sqlite of an older version is encrypted first
        settings = Settings(sqlite_key=SecretStr(key.raw.hex()))
        # The embedded default is the demo: its first start seeds a shift of cases for the team leads' workbench.
        return start_in_thread(f"sqlite:///{path}", settings=settings, demo_shift=True)
    except (OSError, RuntimeError, *DB_ERRORS) as exc:  # type: ignore[misc]  # mypy does not follow the unpacking
        raise OperatorAppError(f"the embedded central server could not start: {exc}") from exc

"""The embedded default: the reference central server in this process, on 127.0.0.1, SQLite in the data dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from operator_app.errors import OperatorAppError

DEMO_PASSWORD = "demo-12345"  # the documented password of the seeded demo accounts (embedded default only)
CENTRAL_DB = "central.sqlite"


def start_embedded_server(data_dir: Path) -> Any:
    """Start (and on first use initialise and seed) the central server; returns an object with .url and .stop()."""
    from central_server.embedded import start_in_thread

    try:
        return start_in_thread(f"sqlite:///{data_dir / CENTRAL_DB}")
    except (OSError, RuntimeError) as exc:
        raise OperatorAppError(f"the embedded central server could not start: {exc}") from exc

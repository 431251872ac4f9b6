"""Make the seat's sync engine: against --server, or against the embedded central server started here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from operator_app.store.database import Store
from sync.embedded import start_embedded_server
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import open_secret_store


@dataclass
class Connection:
    engine: SyncEngine
    embedded: Any | None  # the in-process server to stop at exit, if we started one

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def connect(store: Store, data_dir: Path, server: str | None) -> Connection:
    """Blocking (imports, migrations, server start ≈1–2 s): call on the sync thread, not the GUI thread."""
    embedded = None
    if server is None:
        embedded = start_embedded_server(data_dir)
        server = embedded.url
    return Connection(SyncEngine(store, ServerClient(server), open_secret_store()), embedded)

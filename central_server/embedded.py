"""Run the server in a daemon thread of another process (the seat's embedded default, and tests)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.main import create_app
from central_server.services.demo import seed_if_empty


@dataclass
class EmbeddedServer:
    """A running server: `.url` is its base URL (no trailing slash); `.stop()` shuts it down."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()


def prepare_database(settings: Settings, *, seed: bool = True, demo_shift: bool = False) -> None:
    """Migrate to head, and seed the demo accounts (no user yet), the demo articles (no article yet) and, with
    `demo_shift`, the demo shift (no case yet)."""
    engine = make_engine(settings.database_url, sqlite_key=settings.sqlite_key)
    try:
        upgrade_to_head(engine)
        if seed:
            with session_factory(engine)() as session:
                resources = resources_dir(settings)
                seed_if_empty(session, load_city_facts(resources), resources, shift=demo_shift)
    finally:
        engine.dispose()


def serve_app_in_thread(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, access_log: bool = False,
                        log_level: str = "warning", startup_timeout: float = 20.0) -> EmbeddedServer:
    """Bind first (port 0 → a free port), then run uvicorn on that socket in a daemon thread."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="on", timeout_keep_alive=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="central-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the embedded central server did not start")
        time.sleep(0.01)
    shown = f"[{host}]" if ":" in host else host
    return EmbeddedServer(url=f"http://{shown}:{bound_port}", server=server, thread=thread, sock=sock)


def start_in_thread(database_url: str, host: str = "127.0.0.1", port: int = 0, *,
                    settings: Settings | None = None, demo_shift: bool = False) -> EmbeddedServer:
    """Migrate (and seed the demo city if the database is empty; with `demo_shift` also a shift of cases if it has
    none), then serve in a daemon thread."""
    settings = (settings or Settings()).model_copy(update={"database_url": database_url})
    prepare_database(settings, demo_shift=demo_shift)
    return serve_app_in_thread(create_app(settings), host=host, port=port)

"""create_app(settings): the FastAPI application, its database engine, error handlers and limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from central_server import __version__
from central_server.api.deps import AppContext, ThreadSlots
from central_server.api.errors import install_error_handlers
from central_server.api.limits import BodySizeLimit
from central_server.api.routes import api_router
from central_server.core.city import load_city_facts
from central_server.core.config import Settings, resources_dir, with_secret
from central_server.core.recent_checks import RecentChecks
from central_server.core.security import TokenService
from central_server.db.engine import backend_name, make_engine, session_factory
from central_server.services.hotspot_assign import RESOURCES_KEY
from central_server.services.vector_worker import VectorWorker


def configure_logging() -> None:
    """INFO to stderr with times, as `central-server serve` logs (a no-op where logging is already set up)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for these settings, for every way the server is started."""
    return {"access_log": settings.access_log, "log_level": "info",
            "timeout_keep_alive": int(settings.keep_alive_seconds)}


def create_app_from_environment() -> FastAPI:
    """The app of one `central-server serve --workers N` process: settings from CENTRAL_SERVER_* variables."""
    from central_server.core.config import load_settings

    configure_logging()
    return create_app(load_settings())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database must already be migrated (`central-server init-db`)."""
    settings = with_secret(settings or Settings())
    assert settings.secret_key is not None
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size, sqlite_key=settings.sqlite_key)
    ctx = AppContext(
        settings=settings,
        sessions=session_factory(engine),
        tokens=TokenService(settings.secret_key.get_secret_value(), access_minutes=settings.access_token_minutes,
                            refresh_hours=settings.refresh_token_hours),
        city=load_city_facts(resources_dir(settings)),
        database=backend_name(engine),
        recent=RecentChecks(settings.auth_recheck_seconds),
        sync_threads=ThreadSlots(settings.db_pool_size),
    )

    worker = VectorWorker(ctx.sessions, batch=settings.vector_batch, poll_seconds=settings.vector_poll_seconds,
                          start_delay=settings.vector_start_delay_seconds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ctx.sync_threads.open()
        if settings.vector_worker:
            worker.start()  # only where the encoder can run
        try:
            yield
        finally:
            worker.stop()
            ctx.sync_threads.close()
            engine.dispose()

    ctx.sessions.configure(info={RESOURCES_KEY: str(resources_dir(settings))})  # hot spots' settings
    app = FastAPI(title="12345 Operator Desk central server", version=__version__, lifespan=lifespan)
    app.state.ctx = ctx
    app.state.engine = engine
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(api_router)
    return app

"""Keep the seat's routing model (and routing directory) current: ask the central server which release is current,
download one the seat does not have, and install it once every hash checks (`operator_app.routing.installed`).
Blocking: runs in the sync pass, off the GUI thread, every CHECK_EVERY_S at most."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from operator_app.errors import SyncError, SyncErrorKind
from operator_app.routing.errors import RoutingModelError
from operator_app.routing.installed import install, installed_version
from sync.http_client import SeatAuth, ServerClient

log = logging.getLogger(__name__)
CHECK_EVERY_S = 600.0  # 280 seats: about one question a second, a new model reaches every seat within 10 minutes
NO_MODEL = "no_routing_model"
T = TypeVar("T")


class Authed(Protocol):
    """SyncEngine._authed: runs a call with the access token, refreshing it once on a 401."""

    def __call__(self, call: Callable[[str], T]) -> T: ...


def update_routing_model(client: ServerClient, seat: SeatAuth, data_dir: Path, authed: Authed) -> str | None:
    """The release newly installed, or None (nothing published, already current, or refused: logged).

    Network trouble raises SyncError(NETWORK) so the caller can ask again at its next pass."""
    try:
        current = authed(lambda token: client.routing_model(token, seat))
    except SyncError as exc:
        if exc.kind is SyncErrorKind.REJECTED and exc.code == NO_MODEL:
            return None
        raise
    version, hashes = current.version, current.files
    if version == installed_version(data_dir):
        return None
    files = {name: authed(partial(client.routing_file, seat=seat, version=version, name=name))
             for name in sorted(hashes)}
    try:
        install(data_dir, version, files, hashes)
    except (RoutingModelError, OSError) as exc:  # refused, or the disk is full: the model in use stays
        log.warning("routing model from the server not used: %s", exc)
        return None
    log.info("routing release %s installed", version[:16])
    return version

"""The seat's routing assistant: model, directory and gazetteer loaded once; suggestions for the case form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from operator_app.paths import resources_dir

from .directory import Gazetteer, RoutingDirectory, load_directory, load_gazetteer
from .errors import RoutingError
from .installed import installed_directory, installed_model_dir
from .model import RoutingModel
from .record import RoutingSnapshot
from .suggest import suggest

log = logging.getLogger(__name__)
T = TypeVar("T")


class RoutingAssistant:
    """Read-only after load, so one instance can serve a worker thread while the GUI thread holds it."""

    def __init__(self, model: RoutingModel, directory: RoutingDirectory, gazetteer: Gazetteer) -> None:
        self.model, self.directory, self.gazetteer = model, directory, gazetteer

    @classmethod
    def load(cls, root: Path | None = None, *, data_dir: Path | None = None) -> RoutingAssistant:
        """Load and hash-check the model (≈0.2 s; call off the GUI thread) and the routing directory: the ones the
        central server sent to the seat's data dir when there are and they check, else the shipped ones."""
        base = root or resources_dir()
        model_dir = installed_model_dir(data_dir) if data_dir is not None else None
        directory = installed_directory(data_dir) if data_dir is not None else None
        return cls(
            prefer_received(RoutingModel.load, model_dir, base / "routing", "model"),
            prefer_received(load_directory, directory, base / "city" / "routing_directory.toml", "directory"),
            load_gazetteer(base / "city" / "districts.toml"),
        )

    def suggest(self, *, content: str, address: str) -> RoutingSnapshot:
        found = suggest(self.model, self.directory, self.gazetteer, title="", body=content, address=address)
        return RoutingSnapshot(self.model.version, tuple(found))


def prefer_received(
    load: Callable[[Path], T], received: Path | None, shipped: Path, what: str, *, say: Callable[[str], None] | None = None
) -> T:
    """What the central server sent, when it loads and checks (again, at every load), else the shipped one.
    `say`, when given, is told in plain words which one is used and why (the command line prints it)."""
    if received is not None:
        try:
            value = load(received)
        except (RoutingError, OSError) as exc:  # changed on disk since it was installed: never used unchecked
            log.warning("received routing %s not used, the shipped one is: %s", what, exc)
            if say is not None:
                say(f"the routing {what} the central server sent is not used, the shipped one is: {exc}")
        else:
            if say is not None:
                say(f"using the routing {what} the central server sent ({received})")
            return value
    return load(shipped)

"""The seat's routing assistant: model, directory and gazetteer loaded once; suggestions for the case form."""

from __future__ import annotations

import logging
from pathlib import Path

from operator_app.paths import resources_dir

from .directory import Gazetteer, RoutingDirectory, load_directory, load_gazetteer
from .errors import DirectoryConfigError, RoutingModelError
from .installed import installed_directory, installed_model_dir
from .model import RoutingModel
from .record import RoutingSnapshot
from .suggest import suggest

log = logging.getLogger(__name__)


class RoutingAssistant:
    """Read-only after load, so one instance can serve a worker thread while the GUI thread holds it."""

    def __init__(self, model: RoutingModel, directory: RoutingDirectory, gazetteer: Gazetteer) -> None:
        self.model, self.directory, self.gazetteer = model, directory, gazetteer

    @classmethod
    def load(cls, root: Path | None = None, *, data_dir: Path | None = None) -> RoutingAssistant:
        """Load and hash-check the model (≈0.2 s; call off the GUI thread) and the routing directory: the ones the
        central server sent to the seat's data dir when there are and they check, else the shipped ones."""
        base = root or resources_dir()
        return cls(
            _model(base, data_dir),
            _directory(base, data_dir),
            load_gazetteer(base / "city" / "districts.toml"),
        )

    def suggest(self, *, content: str, address: str) -> RoutingSnapshot:
        found = suggest(self.model, self.directory, self.gazetteer, title="", body=content, address=address)
        return RoutingSnapshot(self.model.version, tuple(found))


def _model(base: Path, data_dir: Path | None) -> RoutingModel:
    received = installed_model_dir(data_dir) if data_dir is not None else None
    if received is not None:
        try:
            return RoutingModel.load(received)
        except (RoutingModelError, OSError) as exc:  # changed on disk since it was installed: never used unchecked
            log.warning("received routing model not used, the shipped one is: %s", exc)
    return RoutingModel.load(base / "routing")


def _directory(base: Path, data_dir: Path | None) -> RoutingDirectory:
    received = installed_directory(data_dir) if data_dir is not None else None
    if received is not None:
        try:
            return load_directory(received)
        except (DirectoryConfigError, OSError) as exc:
            log.warning("received routing directory not used, the shipped one is: %s", exc)
    return load_directory(base / "city" / "routing_directory.toml")

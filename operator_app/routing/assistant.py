"""The seat's routing assistant: model, directory and gazetteer loaded once; suggestions for the case form."""

from __future__ import annotations

from pathlib import Path

from operator_app.paths import resources_dir

from .directory import Gazetteer, RoutingDirectory, load_directory, load_gazetteer
from .model import RoutingModel
from .record import RoutingSnapshot
from .suggest import suggest


class RoutingAssistant:
    """Read-only after load, so one instance can serve a worker thread while the GUI thread holds it."""

    def __init__(self, model: RoutingModel, directory: RoutingDirectory, gazetteer: Gazetteer) -> None:
        self.model, self.directory, self.gazetteer = model, directory, gazetteer

    @classmethod
    def load(cls, root: Path | None = None) -> RoutingAssistant:
        """Load and hash-check the shipped model (≈0.2 s): call off the GUI thread."""
        base = root or resources_dir()
        return cls(
            RoutingModel.load(base / "routing"),
            load_directory(base / "city" / "routing_directory.toml"),
            load_gazetteer(base / "city" / "districts.toml"),
        )

    def suggest(self, *, content: str, address: str) -> RoutingSnapshot:
        found = suggest(self.model, self.directory, self.gazetteer, title="", body=content, address=address)
        return RoutingSnapshot(self.model.version, tuple(found))

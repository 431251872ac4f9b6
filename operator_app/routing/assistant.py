"""The seat's routing assistant: model, directory and gazetteer loaded once; suggestions for the case form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from contract.routing_leaves import LEAVES_FILE
from operator_app.paths import resources_dir

from .directory import Gazetteer, RoutingDirectory, load_directory, load_gazetteer
from .errors import RoutingError
from .installed import installed_directory, installed_leaves, installed_model_dir
from .leaves import LeafIndex, branches
from .model import RoutingModel
from .record import RoutingSnapshot
from .suggest import leaf_suggestions, suggest

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")


class RoutingAssistant:
    """Read-only after load, so one instance can serve a worker thread while the GUI thread holds it."""

    def __init__(self, model: RoutingModel, directory: RoutingDirectory, gazetteer: Gazetteer,
                 leaves: LeafIndex | None = None) -> None:
        self.model, self.directory, self.gazetteer = model, directory, gazetteer
        self.leaves = leaves  # None: no leaf prototypes for the desk's encoder (top-level suggestions only)

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
            _load_leaves(installed_leaves(data_dir) if data_dir is not None else None, base / "routing" / LEAVES_FILE),
        )

    def suggest(self, *, content: str, address: str) -> RoutingSnapshot:
        found = suggest(self.model, self.directory, self.gazetteer, title="", body=content, address=address)
        return RoutingSnapshot(self.model.version, tuple(found))

    def with_leaves(self, snapshot: RoutingSnapshot, vector: np.ndarray, *, content: str, address: str,
                    known: frozenset[str] | tuple[str, ...] | None = None) -> RoutingSnapshot:
        """The snapshot with the leaves nearest the case vector inside its predicted branches (`known`: the city's
        leaf paths); unchanged when there are no suggestions or no leaves for this encoder. Pure CPU, < 1 ms."""
        if self.leaves is None or not snapshot.suggestions:
            return snapshot
        ranked = [(s.category, s.confidence) for s in snapshot.suggestions]
        matches = self.leaves.rank(vector, branches(ranked), known=known, content=content)
        found = leaf_suggestions(self.directory, self.gazetteer, snapshot.suggestions, matches,
                                 address=address, content=content)
        return RoutingSnapshot(snapshot.model_version, snapshot.suggestions, tuple(found))


def _load_leaves(received: Path | None, shipped: Path) -> LeafIndex | None:
    """The leaves that came with the release in use, else the shipped ones; None when neither is there or they were
    made by another encoder than the one this desk runs (their cosines would mean nothing)."""
    from semantic import encoder_id

    for path in (received, shipped):
        if path is None or not path.is_file():
            continue
        try:
            leaves = LeafIndex.load(path)
        except RoutingError as exc:
            log.warning("routing leaves not used: %s", exc)
            continue
        if leaves.encoder == encoder_id():
            return leaves
        log.info("routing leaves in %s were made by %s, not this desk's encoder: not used", path, leaves.encoder)
    return None


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

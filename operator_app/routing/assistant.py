"""The seat's routing assistant: model, directory and gazetteer loaded once; suggestions for the case form."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from operator_app.paths import resources_dir

from .directory import Gazetteer, RoutingDirectory, load_directory, load_gazetteer
from .model import RoutingModel
from .suggest import Suggestion, suggest


@dataclass(frozen=True)
class RoutingSnapshot:
    """What the operator was shown when submitting: recorded with the case as data for the next model."""

    model_version: str
    suggestions: tuple[Suggestion, ...]


class RoutingAssistant:
    """Read-only after load, so one instance can serve a worker thread while the GUI thread holds it."""

    def __init__(self, model: RoutingModel, directory: RoutingDirectory, gazetteer: Gazetteer) -> None:
        self.model, self.directory, self.gazetteer = model, directory, gazetteer

    @classmethod
    def load(cls, root: Path | None = None) -> RoutingAssistant:
        """Load and hash-check the shipped model (≈0.2 s): call off the GUI thread."""
        base = root or resources_dir()
        return cls(RoutingModel.load(base / "routing"), load_directory(base / "city" / "routing_directory.toml"),
                   load_gazetteer(base / "city" / "districts.toml"))

    def suggest(self, *, content: str, address: str) -> RoutingSnapshot:
        found = suggest(self.model, self.directory, self.gazetteer, title="", body=content, address=address)
        return RoutingSnapshot(self.model.version, tuple(found))


def routing_record(snapshot: RoutingSnapshot, *, category: str, lead_department: str,
                   district: str) -> dict[str, Any]:
    """The suggestion, the choice and the model version; `overridden` when the operator chose otherwise."""
    shown = [{"category": s.category, "lead_department": s.lead_department_id or "", "district": s.district_id or "",
              "confidence": s.confidence} for s in snapshot.suggestions]
    top = category.split("/", 1)[0]
    first = snapshot.suggestions[0] if snapshot.suggestions else None
    overridden = first is not None and (top != first.category or bool(
        lead_department and first.lead_department_id and lead_department != first.lead_department_id))
    return {"model_version": snapshot.model_version, "suggestions": shown,
            "chosen": {"category": category, "lead_department": lead_department, "district": district},
            "overridden": overridden}

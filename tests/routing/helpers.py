"""Shared paths and stand-ins for the routing tests."""

from __future__ import annotations

from pathlib import Path

from operator_app.routing.model import Prediction

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHIPPED_MODEL = REPO / "resources" / "routing"
DEV_CSV = REPO.parent / "shared" / "data" / "routing" / "dev.csv"


class FixedModel:
    """A stand-in model that always predicts the same ranked labels."""

    version = "fixed"

    def __init__(self, ranked: list[tuple[str, float]]) -> None:
        self.ranked = ranked

    def predict(self, title: str, body: str, top_k: int = 3) -> list[Prediction]:
        if not (title or body):
            return []
        return [Prediction(label, conf, ("物业",)) for label, conf in self.ranked[:top_k]]

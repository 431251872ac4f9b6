"""Routing suggestions: a numpy-only text model, the routing directory and the district gazetteer.

Public API:
    RoutingModel.load(dir).predict(title, body, top_k=3) -> [Prediction(label, confidence) with .terms]
    load_directory(path), load_gazetteer(path), load_departments(path)
    suggest(model, directory, gazetteer, *, title, body, address) -> [Suggestion]
Training lives in `operator_app.routing.train` (scikit-learn, development only).
"""

from .directory import (
    District,
    Gazetteer,
    Route,
    RoutingDirectory,
    load_departments,
    load_directory,
    load_gazetteer,
)
from .errors import DirectoryConfigError, RoutingDataError, RoutingError, RoutingModelError
from .model import Prediction, RoutingModel
from .suggest import Suggestion, detect_district, suggest

__all__ = [
    "DirectoryConfigError",
    "District",
    "Gazetteer",
    "Prediction",
    "Route",
    "RoutingDataError",
    "RoutingDirectory",
    "RoutingError",
    "RoutingModel",
    "RoutingModelError",
    "Suggestion",
    "detect_district",
    "load_departments",
    "load_directory",
    "load_gazetteer",
    "suggest",
]

"""Errors raised by the routing package, each with a plain-English message."""

from __future__ import annotations

from ..errors import OperatorAppError


class RoutingError(OperatorAppError):
    """Root of routing errors."""


class RoutingModelError(RoutingError):
    """A model directory is missing, incomplete, or its content does not match its manifest."""


class RoutingDataError(RoutingError):
    """Training or evaluation data cannot be read."""


class DirectoryConfigError(RoutingError):
    """The routing directory or the district gazetteer cannot be read."""

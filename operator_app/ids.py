"""NewType ids so a case id is never passed where a seat id is meant."""

from __future__ import annotations

import uuid
from typing import NewType

CaseId = NewType("CaseId", str)
SeatId = NewType("SeatId", str)
OperatorId = NewType("OperatorId", str)
MutationId = NewType("MutationId", str)
EventId = NewType("EventId", str)


def new_uuid() -> str:
    """A random UUID4 string: entity ids are made by the client."""
    return str(uuid.uuid4())

"""What happens once cases have their sentence vectors (services/vector_worker.py calls it after each batch)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session


def cases_embedded(session: Session, case_ids: Sequence[str]) -> None:
    """Called inside the worker's session after the vectors of `case_ids` were committed."""
    del session, case_ids  # hot-spot regrouping by meaning is added here (issue 18, part E)

"""Practice mode on the seat (练习): the practice store (practice.db, apart from the real store), the scenarios
and assignments a trainee can play, submitting and scoring an attempt, and sending attempts to the server.

Public API (importable from this package; each name is loaded from its submodule on first use, so building the
CLI's parser, which imports `practice.cli_ops`, does not pay for SQLAlchemy and SQLCipher):
    store.PracticeStore.open(data_dir, *, seat_code) -> PracticeStore        (store.PRACTICE_FILE = "practice.db")
    library.available_scenarios(pstore, resources) -> list[Scenario]
    library.cached_assignments(pstore, trainee_id) -> list[Assignment]
    library.refresh_library(pstore, api, *, trainee_id) -> LibraryRefresh
    attempts.submit_practice(pstore, city, scenario, form, *, trainee_id, started_at, seconds, cited,
                             suggestions_shown, assignment_id, weights, time_limit_seconds=None, validate=True,
                             now=None) -> PracticeResult(attempt_id, number, score)
    attempts.history(pstore, trainee_id, limit=50) -> list[AttemptRow]
    upload.upload_pending(pstore, api, *, trainee_id=None) -> UploadReport
No Qt here: the practice window (ui/training/practice/) calls these from its worker tasks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from operator_app.practice.attempts import (
        AttemptRow,
        PracticeResult,
        attempt,
        check_practice,
        history,
        submit_practice,
    )
    from operator_app.practice.library import (
        Assignment,
        LibraryRefresh,
        available_scenarios,
        cached_assignments,
        cached_scenarios,
        library_refreshed_at,
        refresh_library,
    )
    from operator_app.practice.store import PRACTICE_FILE, PracticeStore
    from operator_app.practice.upload import UploadReport, pending_count, upload_pending

_SUBMODULE = {
    "AttemptRow": "attempts", "PracticeResult": "attempts", "attempt": "attempts", "check_practice": "attempts",
    "history": "attempts", "submit_practice": "attempts",
    "Assignment": "library", "LibraryRefresh": "library", "available_scenarios": "library",
    "cached_assignments": "library", "cached_scenarios": "library", "library_refreshed_at": "library",
    "refresh_library": "library",
    "PRACTICE_FILE": "store", "PracticeStore": "store",
    "UploadReport": "upload", "pending_count": "upload", "upload_pending": "upload",
}
__all__ = [  # the names of _SUBMODULE (tests/core/test_practice_store.py checks they agree)
    "PRACTICE_FILE", "Assignment", "AttemptRow", "LibraryRefresh", "PracticeResult", "PracticeStore", "UploadReport",
    "attempt", "available_scenarios", "cached_assignments", "cached_scenarios", "check_practice", "history",
    "library_refreshed_at", "pending_count", "refresh_library", "submit_practice", "upload_pending",
]


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{submodule}"), name)

"""Practice mode on the seat (练习): the practice store (practice.db, apart from the real store), the scenarios
and assignments a trainee can play, submitting and scoring an attempt, and sending attempts to the server.

No Qt here: the practice window (ui/training/practice/) calls these from its worker tasks.
"""

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

__all__ = [
    "PRACTICE_FILE", "Assignment", "AttemptRow", "LibraryRefresh", "PracticeResult", "PracticeStore", "UploadReport",
    "attempt", "available_scenarios", "cached_assignments", "cached_scenarios", "check_practice", "history",
    "library_refreshed_at", "pending_count", "refresh_library", "submit_practice", "upload_pending",
]

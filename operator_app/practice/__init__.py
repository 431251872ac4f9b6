"""Practice mode on the seat (练习): the practice store (practice.db, apart from the real store), the scenarios
and assignments a trainee can play, submitting and scoring an attempt, and sending attempts to the server.

Public API (import the submodules; this package imports nothing itself, so the CLI's parser stays cheap):
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

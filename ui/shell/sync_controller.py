"""Schedules sync passes on the sync thread: after local commits (debounced), on a timer, at login and logout,
and again with exponential backoff while the server is unreachable. Publishes a status for the status bar."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from operator_app.errors import SyncError, SyncErrorKind
from operator_app.services.case_queries import OutboxSummary, outbox_summary
from operator_app.store.database import Store
from sync.backoff import Backoff
from sync.quarantine import QuarantinedChange, quarantine_count, quarantined_changes
from ui.common.tasks import TaskManager

if TYPE_CHECKING:
    from sync.engine import SyncEngine, SyncReport

log = logging.getLogger(__name__)
DEBOUNCE_MS = 800
PERIOD_MS = 15_000


@dataclass(frozen=True)
class SyncStatus:
    state: str  # synced | pending | offline | auth | syncing
    pending: int
    rejected: int
    oldest_pending_at: str | None
    offline_since: datetime | None
    message: str = ""
    quarantined: int = 0  # pulled changes this seat could not apply (sync/quarantine.py)
    quarantined_items: tuple[QuarantinedChange, ...] = ()  # the newest of them, for a person to look at


class SyncController(QObject):
    """One per seat; the engine does the blocking work on TaskManager's sync thread."""

    status_changed = Signal(object)  # SyncStatus
    cases_changed = Signal(object)  # set[str] of case ids touched by a pass
    routing_model_changed = Signal(str)  # a pass installed this routing model version

    def __init__(self, store: Store, tasks: TaskManager, engine: SyncEngine | None = None) -> None:
        super().__init__()
        self.engine, self.store, self.tasks = engine, store, tasks
        self.backoff = Backoff()
        self.offline_since: datetime | None = None
        self.state = "pending"
        self.message = ""
        self._running = False
        self._again = False
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_now)
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(self.run_now)
        self._period = QTimer(self, interval=PERIOD_MS)
        self._period.timeout.connect(self.run_now)
        self._period.start()

    def trigger(self) -> None:
        """Something was committed locally: sync soon (debounced)."""
        self._debounce.start()
        self.publish()

    def run_now(self) -> None:
        if self._running:
            self._again = True
            return
        engine = self.engine
        if engine is None or not engine.logged_in:
            self.state, self.message = "auth", ""
            self.publish()
            return
        self._running = True
        self.tasks.network(engine.run_once, self._done, self._failed)

    def _done(self, report: SyncReport) -> None:
        self._running = False
        self.backoff.reset()
        self._retry.stop()
        self.offline_since = None
        self.state, self.message = "synced", ""
        if report.case_ids:
            self.cases_changed.emit(report.case_ids)
        if report.routing_model:
            self.routing_model_changed.emit(report.routing_model)
        self.publish()
        if self._again:
            self._again = False
            self.run_now()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self._again = False
        if isinstance(exc, SyncError) and exc.kind is SyncErrorKind.AUTH:
            self.state, self.message = "auth", str(exc)
        else:
            if self.offline_since is None:
                self.offline_since = datetime.now(UTC)
            self.state = "offline"
            self.message = str(exc) if isinstance(exc, SyncError) else type(exc).__name__
            delay = self.backoff.next_delay()
            log.info("sync failed (%s); retrying in %.1f s", type(exc).__name__, delay)
            self._retry.start(int(delay * 1000))
        self.publish()

    def publish(self) -> None:
        """Read the outbox and quarantine counts off the GUI thread and emit the status."""
        self.tasks.read(lambda: _read_status(self.store), self._emit)

    def _emit(self, read: tuple[OutboxSummary, int, list[QuarantinedChange]]) -> None:
        summary, quarantined, items = read
        state = self.state
        if state == "synced" and summary.pending:
            state = "pending"
        self.status_changed.emit(SyncStatus(state, summary.pending, summary.rejected, summary.oldest_pending_at,
                                            self.offline_since, self.message, quarantined, tuple(items)))

    def stop(self) -> None:
        for timer in (self._debounce, self._retry, self._period):
            timer.stop()


def _read_status(store: Store) -> tuple[OutboxSummary, int, list[QuarantinedChange]]:
    count = quarantine_count(store)
    return outbox_summary(store), count, quarantined_changes(store) if count else []

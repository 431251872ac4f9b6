"""Threads live here: one writer thread owns store writes, a small pool runs reads; results return on the GUI
thread, always later, from its event loop."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Bridge(QObject):
    """Lives on the GUI thread and runs there the callbacks that worker threads hand in.

    The callable travels through a plain queue; the signal that wakes the GUI thread carries no Python object, so
    PySide never needs the GIL while it holds Qt's connection lock during a cross-thread emit (a signal carrying
    the callable itself deadlocked once against a GUI thread that held the GIL and wanted that lock).

    The connection is queued even for an emit on the GUI thread itself (a task that finished before its caller
    added the done-callback posts from there): a callback then runs from the event loop, after the caller's code
    has returned, never re-entrantly inside it (e.g. inside a window's __init__, before anyone is connected).
    """

    wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._pending: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        self._pending.put(fn)
        self.wake.emit()

    @Slot()
    def _drain(self) -> None:
        while True:
            try:
                fn = self._pending.get_nowait()
            except queue.Empty:
                return
            fn()


def _alive(callback: Callback | None) -> bool:
    """False for a bound method of a Qt object that has been deleted: nobody is left to take its result."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class TaskManager:
    """Run blocking work off the GUI thread. Writes are serialised on one thread (the SQLite write connection)."""

    def __init__(self) -> None:
        self._bridge = _Bridge()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reader")
        self._network = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync")
        self.pending_writes = 0
        self.closed = False

    def write(self, fn: Callable[[], Any], on_done: Callback | None = None,
              on_error: Callback | None = None) -> Future[Any]:
        """Queue a store write; callbacks run on the GUI thread, in submission order."""
        if self.closed:
            raise RuntimeError("the desk is shutting down: no new writes")
        self.pending_writes += 1
        future = self._writer.submit(fn)
        future.add_done_callback(lambda f: self._deliver(f, on_done, on_error, write=True))
        return future

    def read(self, fn: Callable[[], Any], on_done: Callback | None = None,
             on_error: Callback | None = None) -> Future[Any]:
        """Run a read (query, search) on the pool; callbacks run on the GUI thread. Ignored after shutdown."""
        future: Future[Any] = Future()
        if self.closed:
            future.cancel()
            return future
        future = self._readers.submit(fn)
        future.add_done_callback(lambda f: self._deliver(f, on_done, on_error, write=False))
        return future

    def network(self, fn: Callable[[], Any], on_done: Callback | None = None,
                on_error: Callback | None = None) -> Future[Any]:
        """Talk to the central server on the sync thread (one pass at a time); callbacks on the GUI thread."""
        future: Future[Any] = Future()
        if self.closed:
            future.cancel()
            return future
        future = self._network.submit(fn)
        future.add_done_callback(lambda f: self._deliver(f, on_done, on_error, write=False))
        return future

    def _deliver(self, future: Future[Any], on_done: Callback | None, on_error: Callback | None,
                 *, write: bool) -> None:
        def finish() -> None:
            if write:
                self.pending_writes -= 1
            if self.closed or future.cancelled():
                return
            if not (_alive(on_done) and _alive(on_error)):  # its window closed meanwhile (e.g. a quick logout)
                return
            exc = future.exception()
            if exc is not None:
                if on_error is not None:
                    on_error(exc)
                else:
                    log.error("background task failed: %s", type(exc).__name__)
            elif on_done is not None:
                on_done(future.result())

        self._bridge.post(finish)

    def shutdown(self) -> None:
        """Wait for queued writes to finish (they must not be lost), then stop the threads."""
        self.closed = True
        self._network.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True, cancel_futures=True)

"""TaskManager callbacks always arrive later, from the event loop, on the GUI thread — never inside the caller."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.common.tasks import TaskManager


class _Inline(Executor):
    """Runs the work inside submit(): the task has finished before the manager adds its done-callback."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001  (handed to the callback, as a pool does)
            future.set_exception(exc)
        return future


@pytest.fixture
def tasks(qapp: QApplication) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.mark.parametrize("kind", ["read", "write", "network"])
def test_a_task_finished_before_submit_returns_calls_back_from_the_event_loop(
        qtbot: QtBot, tasks: TaskManager, kind: str) -> None:
    setattr(tasks, {"read": "_readers", "write": "_writer", "network": "_network"}[kind], _Inline())
    calls: list[object] = []
    submit = getattr(tasks, kind)
    submit(lambda: 42, calls.append)
    submit(lambda: 1 / 0, None, lambda exc: calls.append(type(exc).__name__))
    assert calls == []  # the caller's code (e.g. a window's __init__) runs to its end first
    qtbot.waitUntil(lambda: calls == [42, "ZeroDivisionError"], timeout=2000)
    assert tasks.pending_writes == 0


def test_a_callback_that_submits_more_work_is_not_reentered(qtbot: QtBot, tasks: TaskManager) -> None:
    tasks._readers = _Inline()  # type: ignore[assignment]  # the pool's type; any Executor will do
    log: list[str] = []

    def first(_result: object) -> None:
        log.append("first begins")
        tasks.read(lambda: None, lambda _r: log.append("second"))
        log.append("first ends")

    tasks.read(lambda: None, first)
    qtbot.waitUntil(lambda: "second" in log, timeout=2000)
    assert log == ["first begins", "first ends", "second"]


def test_results_from_worker_threads_arrive_on_the_gui_thread_in_order(qtbot: QtBot, tasks: TaskManager) -> None:
    seen: list[tuple[int, bool]] = []
    gui = threading.current_thread()
    for i in range(20):
        tasks.write(functools.partial(int, i), lambda r: seen.append((r, threading.current_thread() is gui)))
    qtbot.waitUntil(lambda: len(seen) == 20, timeout=5000)
    assert seen == [(i, True) for i in range(20)]
    assert tasks.pending_writes == 0


class _Panel(QObject):
    loaded = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def done(self, _result: object) -> None:
        self.calls += 1
        self.loaded.emit()  # raises RuntimeError once the Qt object is gone


def test_a_result_for_a_closed_window_is_dropped(qtbot: QtBot, tasks: TaskManager) -> None:
    """An operator who logs out at once closes the desk while its panels still load: their results arrive for
    Qt objects that were deleted, and must be dropped rather than raise in the event loop."""
    gate = threading.Event()
    panel, alive = _Panel(), _Panel()
    tasks.read(gate.wait, panel.done)
    tasks.read(gate.wait, alive.done)
    shiboken6.delete(panel)
    gate.set()
    qtbot.waitUntil(lambda: alive.calls == 1, timeout=5000)
    QApplication.processEvents()

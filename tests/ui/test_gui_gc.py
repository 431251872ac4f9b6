"""Cyclic garbage is collected on the GUI thread only (a collection on a worker thread can deadlock PySide); the
GUI thread gets the interpreter lock back within a millisecond of asking."""

from __future__ import annotations

import gc
import sys
import threading

from ui.common.gui_gc import collect_on_gui_thread
from ui.shell.app import make_application
from ui.shell.desk_window import DeskWindow


class _Node:
    def __init__(self, where: list[bool]) -> None:
        self.where = where
        self.me = self  # a cycle: only the cyclic collector frees it

    def __del__(self) -> None:
        self.where.append(threading.current_thread() is threading.main_thread())


def test_a_worker_hands_the_interpreter_lock_back_within_a_millisecond(qtbot) -> None:  # type: ignore[no-untyped-def]
    sys.setswitchinterval(0.005)  # Python's default
    make_application()
    assert abs(sys.getswitchinterval() - 0.001) < 1e-6


def test_cycles_made_on_a_worker_thread_are_collected_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    make_application()
    assert not gc.isenabled()
    gc.collect()
    where: list[bool] = []

    def work() -> None:
        for _ in range(5000):  # far past the youngest generation's threshold
            _Node(where)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert where == []  # nothing was collected on the worker
    qtbot.waitUntil(lambda: len(where) == 5000, timeout=5000)
    assert all(where)


def test_the_collector_follows_the_interpreters_thresholds(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = collect_on_gui_thread()
    gc.collect()
    assert collector.check() == 0  # below every threshold: nothing to do
    where: list[bool] = []
    for _ in range(collector.thresholds[0] + 10):
        _Node(where)
    assert collector.check() >= collector.thresholds[0] and len(where) >= collector.thresholds[0]


def test_frozen_cycles_wait_for_settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = collect_on_gui_thread()
    where: list[bool] = []
    _Node(where)
    collector.freeze()  # as the desk does once its form is ready
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert where == []  # frozen: out of every collection
    collector.settle()  # as a logout does, while the login window shows
    assert where == [True]


def test_the_desk_freezes_what_it_holds_once_ready(qtbot, desk: DeskWindow) -> None:  # type: ignore[no-untyped-def]
    gc.unfreeze()
    desk.form_ready.emit()
    assert gc.get_freeze_count() > 0


def test_the_desk_loads_its_assist_panels_before_the_first_keystroke_and_freezes_them(  # type: ignore[no-untyped-def]
    qtbot, desk: DeskWindow
) -> None:
    with qtbot.waitSignal(desk.warmed_up, timeout=20_000):
        pass  # nothing typed: the routing model and the knowledge base's code load on their own after login
    assert desk.routing.loaded
    assert "knowledge_base.searcher" in sys.modules
    gc.unfreeze()
    desk.warmed_up.emit()  # what was loaded after the form was ready is frozen too
    assert gc.get_freeze_count() > 0

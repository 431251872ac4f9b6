"""Python's cyclic garbage collector runs on the GUI thread only.

Collected anywhere, a cycle holding a Qt wrapper or a slot connection makes PySide disconnect it there: on a
worker thread that means taking Qt's signal-slot lock, then waiting for the interpreter lock inside the
disconnect — while the GUI thread, holding the interpreter lock, waits for that signal-slot lock to connect or
show a widget. Both wait forever (seen: a reader thread's allocation started a collection while the desk window
was being shown after a logout). So automatic collection is switched off and a GUI-thread timer collects with
the interpreter's own thresholds (the approach pyqtgraph's GarbageCollector takes). Reference counting still
frees everything that is not in a cycle at once, on whichever thread drops it. To keep the GUI-thread
collections short, the objects alive once the desk is up are frozen (gc.freeze) and only a logout, when nobody
types, collects them all.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 100


class GuiThreadCollector(QObject):
    """Made once, on the GUI thread, after the QApplication exists (`collect_on_gui_thread`)."""

    def __init__(self, interval_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__()
        self.thresholds = gc.get_threshold()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.check)
        gc.disable()
        self._timer.start()

    def check(self) -> int:
        """As CPython decides on an allocation: once the youngest count passes its threshold, collect the oldest
        generation whose count passed its own (a collection includes the younger ones). Returns what it found."""
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return 0
        generation = max(g for g in range(3) if g == 0 or counts[g] > self.thresholds[g])
        return gc.collect(generation)

    def freeze(self) -> None:
        """Exempt every object alive now from later collections (it is still freed when its count drops).

        Called once the desk is up, and again once it has loaded its assist panels' models and dictionaries: the
        modules, widgets and models then stay out of the collections that would otherwise walk them all on the GUI
        thread (over 100 ms with a loaded desk; 70 ms for a middle-generation collection holding the dictionaries
        loaded after the form)."""
        gc.freeze()

    def settle(self) -> None:
        """At a quiet moment (the login window after a logout): collect everything, the frozen objects too."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()


_installed: GuiThreadCollector | None = None


def collect_on_gui_thread() -> GuiThreadCollector:
    """The one collector of this process (made on first call; call it from the GUI thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector()
    return _installed

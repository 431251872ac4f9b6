"""The attempt's clock: elapsed time against the limit, or a countdown in an exam, which says when it ran out.

`clock` is a module attribute (as in ui/intake/form.py) so a test can move time; the label is refreshed by a Qt
timer, and `tick()` is what that timer calls.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ui.common.named import named

clock = time.monotonic
TICK_MS = 250


def mmss(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class PracticeTimer(QLabel):
    """Shows 用时 m:ss / 限时 m:ss (an exercise) or 剩余 m:ss (an exam's countdown); emits `expired` once when a
    countdown reaches zero."""

    expired = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "practiceTimer")
        self._started: float | None = None
        self._stopped: float | None = None
        self.limit = 0
        self.countdown = False
        self._fired = False
        self._ticker = QTimer(self, interval=TICK_MS)
        self._ticker.timeout.connect(self.tick)

    def start(self, limit_seconds: int, *, countdown: bool) -> None:
        self.limit, self.countdown = int(limit_seconds), countdown
        self._started, self._stopped, self._fired = clock(), None, False
        self.setProperty("over", False)
        self._ticker.start()
        self.tick()

    def stop(self) -> float:
        """Stop the clock; the seconds the attempt took."""
        if self._started is not None and self._stopped is None:
            self._stopped = clock()
        self._ticker.stop()
        return self.elapsed()

    def elapsed(self) -> float:
        if self._started is None:
            return 0.0
        return (self._stopped if self._stopped is not None else clock()) - self._started

    def remaining(self) -> float:
        return max(0.0, self.limit - self.elapsed())

    def tick(self) -> None:
        spent = self.elapsed()
        over = spent > self.limit
        if self.countdown:
            self.setText(self.tr("剩余 %1").replace("%1", mmss(self.remaining())))
        else:
            self.setText(self.tr("用时 %1 / 限时 %2").replace("%1", mmss(spent)).replace("%2", mmss(self.limit)))
        if over != bool(self.property("over")):
            self.setProperty("over", over)
            self.setStyleSheet("color: #c62828;" if over else "")
        if self.countdown and not self._fired and self._stopped is None and self.remaining() <= 0:
            self._fired = True
            self._ticker.stop()
            self.expired.emit()

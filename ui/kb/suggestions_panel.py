"""推荐文章: while the operator records the case content, the most relevant articles appear here by themselves
(debounced, computed on the read pool). Click or Enter opens one; nothing here takes the focus.

With the sentence encoder, the case text's vector (ui/intake/semantic_bridge.py, encoded after a pause in typing)
fuses meaning into the ranking: the lexical suggestions show first, the fused ones replace them when the vector of
the same text arrives, unless the operator is working in the list (then the new finds are added below).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.kb import backend as kb_backend
from ui.kb.models import HIT_ROLE, KbHitModel
from ui.kb.search_panel import hit_list, show_hits

if TYPE_CHECKING:
    from knowledge_base import SearchHit
    from ui.intake.semantic_bridge import SemanticBridge

DEBOUNCE_MS = 400
MIN_CHARS = 4  # fewer characters say too little to suggest from
MAX_CONTENT_CHARS = 2000
LIMIT = 5


class KbSuggestionsPanel(QGroupBox):
    """Emits `open_requested(article_id)` and `current_changed(SearchHit | None)`."""

    open_requested = Signal(str)
    current_changed = Signal(object)
    searched = Signal()  # results (or the reason there are none) are on screen
    reranked = Signal()  # suggestions ranked with the case text's vector are on screen

    def __init__(self, data_dir: Path, tasks: TaskManager) -> None:
        super().__init__()
        self.setTitle(self.tr("推荐文章（Ctrl+Shift+K）"))
        self.path, self.tasks = kb_backend.kb_path(data_dir), tasks
        self._generation = 0
        self._pending: str | None = None
        self._last_text = ""
        self._vector: tuple[str, object] | None = None  # the latest case vector and the text it is of
        self.hint = named(QLabel(), "kbSuggestHint")
        self.hint.setWordWrap(True)
        self.model = KbHitModel(compact=True)
        self.list = hit_list("kbSuggestions", self.model)  # always shown: showing it late costs a re-layout
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        self._idle_hint()
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run)
        self.list.clicked.connect(self._open_index)
        self.list.activated.connect(self._open_index)
        self.list.selectionModel().currentChanged.connect(lambda cur, _prev: self.current_changed.emit(
            self.model.hit(cur.row()) if cur.isValid() else None))

    def request(self, content: str) -> None:
        """The case content changed: suggest again after a pause in typing (same text: nothing to do)."""
        text = content.strip()[:MAX_CONTENT_CHARS]
        if text == self._last_text:
            return
        self._last_text = text
        if len(text) < MIN_CHARS:
            self._debounce.stop()
            self._generation += 1
            self._pending = None
            self._show_hits([])
            return
        self._pending = text
        self._debounce.start()

    def set_semantic(self, bridge: SemanticBridge) -> None:
        bridge.case_vector.connect(self._vector_ready)

    def reset(self) -> None:
        self._last_text = ""  # the vector is kept: it is of its text, and the bridge does not encode that text again
        self._pending = None
        self._debounce.stop()
        self._generation += 1
        self._show_hits([])

    def focus_list(self) -> None:
        if self.model.rowCount():
            self.list.setFocus()
            if not self.list.currentIndex().isValid():
                self.list.setCurrentIndex(self.model.index(0))

    def current_hit(self) -> SearchHit | None:
        index = self.list.currentIndex()
        return self.model.hit(index.row()) if index.isValid() else None

    def _run(self) -> None:
        if self._pending is None:
            return
        text = self._pending
        vector = self._vector[1] if self._vector is not None and self._vector[0] == text else None
        self._suggest(text, vector)

    def _suggest(self, text: str, vector: object | None) -> None:
        path = self.path
        self._generation += 1
        gen = self._generation
        self.tasks.read(lambda: kb_backend.suggest(path, text, LIMIT, case_vector=vector),  # type: ignore[arg-type]
                        lambda hits: self._show(gen, hits, text if vector is not None else None),
                        lambda exc: self._failed(gen, exc))

    def _vector_ready(self, text: str, vector: object) -> None:
        """The case text's vector: suggest again with it if the content is still that text (a pending lexical
        run takes it when its pause ends)."""
        text = text.strip()[:MAX_CONTENT_CHARS]
        self._vector = (text, vector)
        if text == self._last_text and len(text) >= MIN_CHARS and not self._debounce.isActive():
            self._suggest(text, vector)

    def _show(self, gen: int, hits: list[SearchHit], fused_text: str | None = None) -> None:
        if gen != self._generation:
            return
        if fused_text is not None and self.list.hasFocus() and self.model.rowCount():
            have = {h.id for h in self.model.hits}  # the operator is in the list: nothing on screen moves
            self.model.append_hits([h for h in hits if h.id not in have][:max(0, LIMIT - len(have))])
        else:
            self._show_hits(hits, fused=fused_text is not None)
        self.searched.emit()
        if fused_text is not None:
            self.reranked.emit()

    def _show_hits(self, hits: list[SearchHit], *, fused: bool = False) -> None:
        show_hits(self.list, self.model, hits)
        self.current_changed.emit(None)
        if hits and fused:
            self.hint.setText(self.tr("按诉求内容的意思推荐，点击或 Enter 查看"))
        elif hits:
            self.hint.setText(self.tr("按诉求内容推荐，点击或 Enter 查看"))
        elif self._pending is not None:
            self.hint.setText(self.tr("暂无相关文章"))
        else:
            self._idle_hint()

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        self.model.set_hits([])
        if isinstance(exc, kb_backend.KbNotSynced):
            self.hint.setText(self.tr("知识库尚未同步"))
        else:
            self.hint.setText(self.tr("推荐暂不可用"))
        self.searched.emit()

    def _idle_hint(self) -> None:
        self.hint.setText(self.tr("记录诉求内容后，这里推荐相关文章"))

    def _open_index(self, index: object) -> None:
        hit = self.list.model().data(index, HIT_ROLE)  # type: ignore[arg-type]
        if hit is not None:
            self.open_requested.emit(hit.id)

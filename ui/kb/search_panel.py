"""知识库搜索 beside the case form: results as you type (debounced, searched on the read pool), filters,
highlighted snippets, expired articles flagged. ↓/↑ move through the results from the search box, Enter opens.

With the sentence encoder (ui/intake/semantic_bridge.py) the query is encoded at every edit, the latest text
winning, and the fused search runs as soon as the vector of the text in the box arrives (~25-50 ms after the last
keystroke), without waiting for the rest of the typing pause: the fused ranking is then the first list shown. If
the pause ends first, the lexical list shows and the fused one replaces it when the vector arrives, as long as the
query and filters are unchanged. Once the operator has moved in the list (arrows,
click, focus in the list), nothing on screen is reordered: the articles only the fused ranking found are added
below. A badge beside the box says which search is in use.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
)

from ui.common.named import named
from ui.common.tasks import TaskManager
from ui.kb import backend as kb_backend
from ui.kb.models import HIT_ROLE, KbHitModel

if TYPE_CHECKING:
    from knowledge_base import SearchHit
    from ui.intake.semantic_bridge import SemanticBridge

log = logging.getLogger(__name__)
DEBOUNCE_MS = 150
MAX_QUERY_CHARS = 200  # a pasted page is cut to its start: a query, not a document
RESULT_LIMIT = 20
MAX_ASKED = 32  # query vectors asked for and not answered yet that are still worth waiting for


def hit_list(objectName: str, model: KbHitModel) -> QListView:
    """A list view of hits, one selection, word-wrapped rows (drawn as rich text once `show_hits` ran)."""
    view = named(QListView(), objectName)
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setLayoutMode(QListView.LayoutMode.Batched)  # rows laid out a few per event-loop turn
    view.setBatchSize(4)
    view.setAutoScroll(False)  # a new current row must not force laying out every row at once; moves scroll
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setWordWrap(True)
    return view


def show_hits(view: QListView, model: KbHitModel, hits: list[SearchHit]) -> None:
    """Put hits into the model; the delegate module is imported here, on first results, not at start-up."""
    from ui.kb.delegate import install

    install(view)
    model.set_hits(hits)


class KbSearchPanel(QGroupBox):
    """Emits `open_requested(article_id)` (Enter, click) and `current_changed(SearchHit | None)`."""

    open_requested = Signal(str)
    current_changed = Signal(object)
    searched = Signal()  # results (or the reason there are none) are on screen
    reranked = Signal()  # the fused ranking is on screen (in place of the lexical list, or added below it)

    def __init__(self, data_dir: Path, tasks: TaskManager) -> None:
        super().__init__()
        self.setTitle(self.tr("知识库搜索（Ctrl+K）"))
        self.path, self.tasks = kb_backend.kb_path(data_dir), tasks
        self._generation = 0
        self._facets_loaded = False
        self.synced: bool | None = None  # None: not known yet
        self.semantic: SemanticBridge | None = None
        self.vectors_in_kb: int | None = None  # articles with a vector of this seat's encoder; None: not counted
        self._request: kb_backend.SearchRequest | None = None  # the current generation's search
        self._shown_gen = self._fused_gen = -1  # generations whose (fused) results are on screen
        self._moved = False  # the operator moved in the list shown for the current generation
        self.ranking = ""  # what the list on screen is: "lexical" or "fused" ("" before any search)
        self._seq = 0
        self._asked: dict[int, str] = {}  # vector requests in flight: seq -> query text
        self._vector: tuple[str, object] | None = None  # the latest query vector and its text
        self.search = named(QLineEdit(), "kbSearch")
        self.search.setPlaceholderText(self.tr("搜索政策、办事指南：关键词或拼音首字母"))
        self.search.setClearButtonEnabled(True)
        self.current_only = named(QCheckBox(self.tr("仅现行有效")), "kbCurrentOnly")
        self.current_only.setToolTip(self.tr("勾选后不显示已过期的文章；不勾选时过期文章排在后面并标明【已过期】"))
        self.category = named(QComboBox(), "kbCategory")
        self.department = named(QComboBox(), "kbDepartment")
        for combo, everything in ((self.category, self.tr("全部分类")), (self.department, self.tr("全部单位"))):
            combo.addItem(everything, "")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
            combo.view().setMinimumWidth(220)
        self.mode = named(QLabel(), "kbSearchMode")  # which search is in use; hidden without a bridge
        self.mode.hide()
        # as wide as its widest text, bold: the search box keeps its width when the encoder becomes ready
        bold = self.mode.font()
        bold.setBold(True)
        self.mode.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(self.tr("关键词检索")) + 2)
        self.mode.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status = named(QLabel(), "kbStatus")  # one line: the results get the height
        self.model = KbHitModel()
        self.results = hit_list("kbResults", self.model)
        self.results.setMinimumHeight(90)  # three rows: the column must fit a 1280×720 screen

        filters = QHBoxLayout()
        filters.addWidget(self.category, 1)
        filters.addWidget(self.department, 1)
        filters.addWidget(self.current_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        box_row = QHBoxLayout()
        box_row.addWidget(self.search, 1)
        box_row.addWidget(self.mode)
        layout.addLayout(box_row)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self._hint()

        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run)
        self.search.textChanged.connect(self._text_changed)
        self.category.currentIndexChanged.connect(self._run_now)
        self.department.currentIndexChanged.connect(self._run_now)
        self.current_only.toggled.connect(self._run_now)
        self.search.installEventFilter(self)
        self.results.clicked.connect(self._note_moved)
        self.results.clicked.connect(self._open_index)
        self.results.activated.connect(self._open_index)
        self.results.selectionModel().currentChanged.connect(lambda cur, _prev: self.current_changed.emit(
            self.model.hit(cur.row()) if cur.isValid() else None))

    # -- public ------------------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        """Ctrl+K: focus the box with its text selected, and refresh the filter values."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        self.load_facets()

    def set_semantic(self, bridge: SemanticBridge) -> None:
        """Use the encoder's query vectors; the badge follows its status."""
        self.semantic = bridge
        bridge.status_changed.connect(self._show_mode)
        bridge.query_vector.connect(self._vector_ready)
        self.mode.show()
        self._show_mode()

    def set_vectors_in_kb(self, count: int) -> None:
        """How many articles carry a vector (0: the knowledge base synced none yet, the search stays lexical)."""
        self.vectors_in_kb = count
        self._show_mode()

    @property
    def semantic_in_use(self) -> bool:
        return self.semantic is not None and self.semantic.ready and self.vectors_in_kb != 0

    def current_hit(self) -> SearchHit | None:
        index = self.results.currentIndex()
        return self.model.hit(index.row()) if index.isValid() else None

    def set_synced(self, synced: bool) -> None:
        """Whether kb.sqlite exists; when it appears, the filter values are loaded."""
        was, self.synced = self.synced, synced
        if not synced:
            self.status.setText(self.tr("知识库尚未同步，连上服务器后自动下载"))
            self.status.setProperty("notSynced", True)
            self._repolish()
            self._facets_loaded = False
            return
        if was is not True:
            self.status.setProperty("notSynced", False)
            self._repolish()
            if not self.search.text().strip():
                self._hint()
            self.load_facets()

    def load_facets(self) -> None:
        if self._facets_loaded:
            return
        self._facets_loaded = True
        path = self.path
        self.tasks.read(lambda: kb_backend.facets(path), self._show_facets, self._facets_failed)

    # -- searching ---------------------------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        if not text.strip():
            self._debounce.stop()
            self._generation += 1
            self._request = None
            self.model.set_hits([])
            self.current_changed.emit(None)
            if self.synced is not False:
                self._hint()
            return
        self._debounce.start()
        if self.semantic_in_use:  # the bridge keeps only the latest text, so fast typing costs no backlog
            self._ask_vector(text.strip()[:MAX_QUERY_CHARS])

    def _ask_vector(self, query: str) -> None:
        """Encode the query now, while the search box's pause runs: by its end the vector is usually there, and
        the first list shown is the fused one."""
        if not query or not self.semantic_in_use or (self._vector is not None and self._vector[0] == query):
            return
        from semantic.texts import worth_encoding  # here: the semantic package loads numpy, not at start-up

        if not worth_encoding(query):  # pinyin initials, letters, one character: the keywords answer alone
            return
        if query in self._asked.values():
            return
        self._seq += 1
        self._asked[self._seq] = query
        for old in [s for s in self._asked if s <= self._seq - MAX_ASKED]:  # an answer lost (a failed encoding)
            del self._asked[old]
        assert self.semantic is not None
        self.semantic.request_query(self._seq, query)

    def _run_now(self) -> None:
        if self.search.text().strip():
            self._debounce.stop()
            self._run()

    def _run(self) -> None:
        query = self.search.text().strip()[:MAX_QUERY_CHARS]
        if not query:
            return
        self._generation += 1
        gen = self._generation
        request = kb_backend.SearchRequest(query=query, category=str(self.category.currentData() or ""),
                                           department=str(self.department.currentData() or ""),
                                           current_only=self.current_only.isChecked(), limit=RESULT_LIMIT)
        self._request = request
        vector = self._vector[1] if self._vector is not None and self._vector[0] == query else None
        if vector is None:
            self._ask_vector(query)  # Enter before the pause, or a filter changed before it was asked
        self._query(gen, request, vector)

    def _query(self, gen: int, request: kb_backend.SearchRequest, vector: object | None) -> None:
        path = self.path

        def failed(exc: BaseException) -> None:
            if vector is None or isinstance(exc, kb_backend.KbNotSynced):
                self._failed(gen, exc)
                return
            log.warning("knowledge base fused search failed: %s", type(exc).__name__)
            if gen == self._generation and self._shown_gen != gen:  # nothing on screen yet: the lexical list
                self._query(gen, request, None)

        self.tasks.read(lambda: kb_backend.search(path, request, query_vector=vector),  # type: ignore[arg-type]
                        lambda hits: self._show(gen, hits, fused=vector is not None), failed)

    def _vector_ready(self, seq: int, vector: object) -> None:
        query = self._asked.pop(seq, None)
        for old in [s for s in self._asked if s < seq]:  # superseded: the encoder thread dropped them
            del self._asked[old]
        if query is None:
            return
        self._vector = (query, vector)
        if self._debounce.isActive():
            if query == self.search.text().strip()[:MAX_QUERY_CHARS]:
                self._run_now()  # the vector of the text in the box: the fused list needs no longer pause
            return
        request = self._request
        if request is not None and request.query == query and self._fused_gen != self._generation:
            self._query(self._generation, request, vector)

    def _show(self, gen: int, hits: list[SearchHit], *, fused: bool = False) -> None:
        if gen != self._generation:
            return  # an older query answered late
        if fused:
            if self._fused_gen == gen:
                return
            self._fused_gen = gen
            if self._shown_gen == gen and self._moved_in_list():
                self._add_below(hits)
                return
        elif self._fused_gen == gen:
            return  # the fused ranking is already there: the lexical one answered late
        first = self._shown_gen != gen
        self._shown_gen, self._moved = gen, False
        self.ranking = "fused" if fused else "lexical"
        self.set_synced(True)
        show_hits(self.results, self.model, hits)
        if not hits:
            self.current_changed.emit(None)
            self.status.setText(self.tr("没有找到，换个说法或减少筛选条件"))
            self._announce(first, fused)
            return
        self.status.setText(self._count_text(hits))
        # Selecting lays out the first rows (about a millisecond each): on the next turn of the event loop, so
        # a keystroke waiting in the queue is handled first.
        QTimer.singleShot(0, self, lambda: self._select_first(gen, first, fused))

    def _select_first(self, gen: int, first: bool, fused: bool) -> None:
        if gen != self._generation or not self.model.rowCount():
            return
        self.results.setCurrentIndex(self.model.index(0))
        self.results.scrollToTop()
        self._announce(first, fused)

    def _announce(self, first: bool, fused: bool) -> None:
        if first:
            self.searched.emit()
        if fused:
            self.reranked.emit()

    def _moved_in_list(self) -> bool:
        return self._moved or self.results.hasFocus() or self.results.currentIndex().row() > 0

    def _note_moved(self, *_: object) -> None:
        self._moved = True

    def _add_below(self, hits: list[SearchHit]) -> None:
        """The operator is working in the list: keep every row where it is, add what only the fused ranking found."""
        have = {h.id for h in self.model.hits}
        room = max(0, RESULT_LIMIT - len(have))
        extra = [h for h in hits if h.id not in have][:room]
        self.model.append_hits(extra)
        self.ranking = "fused"
        if extra:
            self.status.setText(self._count_text(self.model.hits))
        self.reranked.emit()

    def _show_mode(self, *_: object) -> None:
        bridge = self.semantic
        if bridge is None:
            return
        if bridge.ready and self.vectors_in_kb == 0:
            text, tip = self.tr("关键词检索"), self.tr("知识库暂无语义向量：文章的语义向量由中心服务器生成，"
                                                   "随知识库同步下发，同步到后自动改用语义检索")
        else:
            text = self.tr("语义检索") if bridge.ready else self.tr("关键词检索")
            tip = bridge.status() + "\n" + bridge.reason()
        self.mode.setText(text)
        self.mode.setToolTip(tip)
        self.mode.setAccessibleName(bridge.status())
        self.mode.setProperty("semantic", self.semantic_in_use)
        self.mode.setStyleSheet("QLabel { color: #2e7d32; font-weight: 600; }" if self.semantic_in_use
                                else "QLabel { color: #757575; }")

    def _count_text(self, hits: list[SearchHit]) -> str:
        expired = sum(h.expired for h in hits)
        # A fused list always fills up with the nearest articles by meaning: say "nearest", not "found".
        count = self.tr("最接近 %1 篇") if self.ranking == "fused" else self.tr("%1 篇")
        text = count.replace("%1", str(len(hits)))
        if expired:
            text += self.tr("（%1 篇已过期）").replace("%1", str(expired))
        return text + self.tr("　↓↑ 选择　Enter 查看　F6 引用")

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        self.model.set_hits([])
        self.current_changed.emit(None)
        if isinstance(exc, kb_backend.KbNotSynced):
            self.set_synced(False)
        else:
            log.warning("knowledge base search failed: %s: %s", type(exc).__name__, exc)
            self.status.setText(self.tr("知识库暂时无法搜索，请稍后再试"))
        self.searched.emit()

    def _show_facets(self, facets: kb_backend.Facets) -> None:
        for combo, values in ((self.category, facets.categories), (self.department, facets.departments)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            index = combo.findData(chosen)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)

    def _facets_failed(self, exc: BaseException) -> None:
        self._facets_loaded = False
        if isinstance(exc, kb_backend.KbNotSynced):
            self.set_synced(False)

    # -- keyboard ----------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move(key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self._debounce.stop()
                if self.model.rowCount():
                    self._open_index(self.results.currentIndex())
                else:
                    self._run()  # Enter before the pause: search now
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        rows = self.model.rowCount()
        if not rows:
            return
        row = self.results.currentIndex().row()
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}[key]  # type: ignore[index]
        row = min(max(0 if row < 0 else row + step, 0), rows - 1)
        self._moved = True
        index = self.model.index(row)
        self.results.setCurrentIndex(index)
        self.results.scrollTo(index)

    def _open_index(self, index: object) -> None:
        hit = self.results.model().data(index, HIT_ROLE) if index is not None else None  # type: ignore[arg-type]
        if hit is not None:
            self.open_requested.emit(hit.id)

    def _hint(self) -> None:
        self.status.setText(self.tr("边输入边搜索，如“医保报销”“噪音”“yb”"))

    def _repolish(self) -> None:
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

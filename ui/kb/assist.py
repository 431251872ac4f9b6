"""The knowledge base beside the case form: the search and suggestion panels, the article viewer, putting an
article's answer into the form (F6) with the citation it records, and feedback queued on the writer thread.

In practice mode (`practice=True`, ui/training/practice/) the same panels search and cite, but nothing is written:
feedback is not recorded (it would reach the knowledge base's editors as a real operator's verdict).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from contract.case_fields import CaseInput
from contract.enums import Disposition
from operator_app.errors import OperatorAppError
from operator_app.store.database import Store
from ui.common.errors import error_text
from ui.common.tasks import TaskManager
from ui.intake.form import CaseForm
from ui.kb import backend as kb_backend
from ui.kb.search_panel import KbSearchPanel
from ui.kb.suggestions_panel import KbSuggestionsPanel

if TYPE_CHECKING:
    from knowledge_base import Article, SearchHit
    from ui.intake.semantic_bridge import SemanticBridge
    from ui.kb.viewer import ArticleViewer

log = logging.getLogger(__name__)
WARM_UP_AFTER_MS = 1200


class KnowledgeAssist(QObject):
    """Emits `message(text)` for the status bar and `changes(Changes)` after a write (feedback)."""

    message = Signal(str)
    changes = Signal(object)

    def __init__(self, *, form: CaseForm, tasks: TaskManager, store: Store | None, data_dir: Path, operator_id: str,
                 window: QWidget, practice: bool = False, semantic: SemanticBridge | None = None) -> None:
        super().__init__(window)
        self.form, self.tasks, self.store, self.operator_id, self.window = form, tasks, store, operator_id, window
        self.practice = practice or store is None
        self.path = kb_backend.kb_path(data_dir)
        kb_backend.set_city_timezone(form.appeal.city.timezone)
        self.search = KbSearchPanel(data_dir, tasks)
        self.suggestions = KbSuggestionsPanel(data_dir, tasks)
        self.citations: list[tuple[str, int]] = []
        self.viewer: ArticleViewer | None = None
        self.warmed_up = False
        self._last_panel: KbSearchPanel | KbSuggestionsPanel = self.search
        for panel in (self.search, self.suggestions):
            panel.open_requested.connect(self.open_article)
            panel.current_changed.connect(lambda hit, p=panel: self._current_changed(p, hit))
        self.semantic = semantic
        if semantic is not None:
            self.search.set_semantic(semantic)
            self.suggestions.set_semantic(semantic)
            semantic.status_changed.connect(self.count_vectors)

    def start(self) -> None:
        """After the form is ready: find out, off the GUI thread, whether the seat has a knowledge base yet;
        a little later, while the operator is idle, warm up the result drawing."""
        path = self.path
        self.tasks.read(lambda: kb_backend.probe(path), self._probed)
        QTimer.singleShot(WARM_UP_AFTER_MS, self._warm_up)

    def _warm_up(self) -> None:
        if self.warmed_up or not isValid(self.search):
            return
        self.warmed_up = True
        self.start_encoder()
        from ui.kb.delegate import install, warm_up

        if self.search.model.rowCount() == 0:  # a search already drew its rows otherwise
            warm_up(self.search.results)
        install(self.suggestions.list)

    def preload(self, on_done: Callable[[], None]) -> None:
        """Import search and indexing on a worker while the operator is idle (kb_backend.preload), then load the
        sentence encoder on its own thread."""
        def done(_result: object) -> None:
            self.start_encoder()
            on_done()

        def failed(exc: BaseException) -> None:
            log.warning("Preloading the knowledge base's code failed: %s", exc)
            done(None)

        self.tasks.read(kb_backend.preload, done, failed)

    def start_encoder(self) -> None:
        """Load the encoder off the GUI thread, after the form's first paint (the preload's end, or the warm-up for a
        window without one); a second call does nothing."""
        if self.semantic is not None and isValid(self.semantic):
            self.semantic.start()

    def count_vectors(self, *_: object) -> None:
        """With the encoder ready: how many articles carry a vector (none synced yet: the badge says so)."""
        if self.semantic is None or not self.semantic.ready or self.search.synced is False:
            return
        path = self.path

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, kb_backend.KbNotSynced):
                log.warning("counting the knowledge base's vectors failed: %s", type(exc).__name__)

        self.tasks.read(lambda: kb_backend.vector_count(path), self.search.set_vectors_in_kb, failed)

    def recheck(self, *_: object) -> None:
        """After a sync pass: a seat still without a knowledge base looks again (the pull may have brought it)."""
        if self.search.synced is False:
            path = self.path
            self.tasks.read(lambda: kb_backend.probe(path), self._probed)
        elif self.search.vectors_in_kb == 0:  # the pull may have brought the articles' vectors
            self.count_vectors()

    def _probed(self, exists: bool) -> None:
        if not exists:
            self.search.set_synced(False)
        elif self.search.synced is False:
            self.search.set_synced(True)
        else:
            self.search.synced = True  # filters load when the operator first searches
        if exists and self.search.vectors_in_kb is None:
            self.count_vectors()

    def content_changed(self) -> None:
        text = self.form.appeal.content.edit.toPlainText()
        self.suggestions.request(text)
        if self.semantic is not None:
            self.semantic.request_case(text.strip())

    def _current_changed(self, panel: KbSearchPanel | KbSuggestionsPanel, hit: SearchHit | None) -> None:
        if hit is not None:
            self._last_panel = panel

    def selected_hit(self) -> SearchHit | None:
        """The list with the focus, else the one the operator last moved in, else whichever has a selection."""
        if self.search.results.hasFocus() or self.search.search.hasFocus():
            return self.search.current_hit()
        if self.suggestions.list.hasFocus():
            return self.suggestions.current_hit()
        return self._last_panel.current_hit() or self.search.current_hit() or self.suggestions.current_hit()

    # -- viewer -------------------------------------------------------------------------------------------------
    def open_article(self, article_id: str) -> None:
        if self.viewer is not None and self.viewer.article.id == article_id:
            self.viewer.raise_()
            self.viewer.activateWindow()
            return
        path = self.path
        self.tasks.read(lambda: kb_backend.get_article(path, article_id), self._show_article, self._read_failed)

    def _show_article(self, article: Article | None) -> None:
        if article is None:
            self.message.emit(self.tr("该文章已被删除或尚未同步"))
            return
        if self.viewer is not None:
            if self.viewer.article.id == article.id:
                return
            self.viewer.reject()
        from ui.kb.viewer import ArticleViewer

        viewer = ArticleViewer(article, self.window)
        viewer.cite_requested.connect(self.cite)
        viewer.cite_requested.connect(lambda _article: viewer.accept())
        viewer.feedback_requested.connect(lambda a, v, c: self.send_feedback(a, v, c, viewer))
        viewer.finished.connect(lambda _result: self._viewer_closed(viewer))
        self.viewer = viewer
        viewer.open()

    def _viewer_closed(self, viewer: ArticleViewer) -> None:
        if self.viewer is viewer:
            self.viewer = None
        viewer.deleteLater()

    def _read_failed(self, exc: BaseException) -> None:
        if isinstance(exc, kb_backend.KbNotSynced):
            self.message.emit(self.tr("知识库尚未同步"))
        else:
            log.warning("knowledge base read failed: %s", type(exc).__name__)
            self.message.emit(self.tr("知识库暂时无法读取，请稍后再试"))

    # -- citing -------------------------------------------------------------------------------------------------
    def cite_selected(self) -> None:
        """F6: the selected search result (or suggestion) goes into the answer."""
        hit = self.selected_hit()
        if hit is None:
            self.message.emit(self.tr("请先在知识库搜索结果或推荐文章中选中一篇文章"))
            return
        path, article_id = self.path, hit.id
        self.tasks.read(lambda: kb_backend.get_article(path, article_id), self._cite_loaded, self._read_failed)

    def _cite_loaded(self, article: Article | None) -> None:
        if article is None:
            self.message.emit(self.tr("该文章已被删除或尚未同步"))
            return
        self.cite(article)

    def cite(self, article: Article) -> None:
        """Put the article's answer into the case (直接办结), append it if the answer already has text."""
        from PySide6.QtGui import QTextCursor

        text = kb_backend.answer_text(article.body)
        disposition = self.form.disposition
        disposition.buttons[Disposition.DIRECT.value].setChecked(True)
        answer = disposition.answer
        current = answer.toPlainText().rstrip()
        if text and text not in current:
            answer.setPlainText(f"{current}\n\n{text}" if current else text)
        answer.moveCursor(QTextCursor.MoveOperation.End)
        answer.setFocus()
        entry = (article.id, int(article.version or 1))
        self.citations = [c for c in self.citations if c[0] != article.id] + [entry]
        note = self.tr("已引用《%1》（第%2版）到答复内容").replace("%1", article.title).replace("%2", str(entry[1]))
        if article.is_expired(datetime.now()):
            note += self.tr("。注意：该文章已过期，请核实")
        self.message.emit(note)

    def citations_for(self, form: CaseInput) -> tuple[tuple[str, int], ...]:
        """What the case being submitted cites: only a direct answer that still has text carries citations."""
        if form.disposition != Disposition.DIRECT.value or not form.answer.strip():
            return ()
        return tuple(self.citations)

    def clear(self) -> None:
        """The form was cleared (new case, submitted, correction loaded): forget its citations, suggestions and the
        previous caller's search."""
        self.citations = []
        self.suggestions.reset()
        self.search.search.clear()

    # -- feedback -----------------------------------------------------------------------------------------------
    def send_feedback(self, article: Article, verdict: str, comment: str, viewer: ArticleViewer | None = None) -> None:
        """Queue the operator's verdict on the writer thread (an outbox mutation for the editors); in practice
        mode say that it is not kept, and write nothing."""
        store, op_id, version = self.store, self.operator_id, int(article.version or 1)
        if self.practice or store is None:
            text = self.tr("练习模式：反馈不会保存，也不会发送给知识库编辑")
            self.message.emit(text)
            if viewer is not None and isValid(viewer):
                viewer.feedback_done(True, text)
            return

        def work() -> Any:
            from operator_app.services.kb_feedback import record_feedback

            return record_feedback(store, article_id=article.id, version=version, verdict=verdict,
                                   comment=comment, operator_id=op_id)

        labels = {"helpful": self.tr("有帮助"), "outdated": self.tr("已过时"), "wrong": self.tr("有错误")}

        def done(changes: object) -> None:
            text = self.tr("已记录反馈“%1”，将同步给知识库编辑").replace("%1", labels.get(verdict, verdict))
            self.message.emit(text)
            if viewer is not None and isValid(viewer):
                viewer.feedback_done(True, text)
            self.changes.emit(changes)

        def failed(exc: BaseException) -> None:
            text = error_text(self, exc) if isinstance(exc, OperatorAppError) else self.tr("反馈未能保存，请重试")
            log.warning("kb feedback failed: %s", type(exc).__name__)
            self.message.emit(text)
            if viewer is not None and isValid(viewer):
                viewer.feedback_done(False, text)

        self.tasks.write(work, done, failed)

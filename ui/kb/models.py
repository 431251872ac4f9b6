"""A thin list model over knowledge-base hits (rendered as HTML for the delegate in ui/kb/delegate.py)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui.kb.backend import marked_html

if TYPE_CHECKING:
    from knowledge_base import SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
MARK_COLOR = "#b71c1c"
RESULT_SNIPPET_CHARS = 64  # about two lines beside the form; the viewer shows the whole article
Index = QModelIndex | QPersistentModelIndex


class KbHitModel(QAbstractListModel):
    """Hits of one search or suggestion, best first; `compact` rows show title and category only."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__()
        self.compact = compact
        self.hits: list[SearchHit] = []
        self._html: list[str] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self._html = [self._render(h) for h in self.hits]
        self.endResetModel()

    def append_hits(self, hits: list[SearchHit]) -> None:
        """Add rows below the current ones (nothing on screen moves)."""
        if not hits:
            return
        first = len(self.hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self.hits.extend(hits)
        self._html.extend(self._render(h) for h in hits)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title + (self.tr("【已过期】") if hit.expired else "")
        if role == HTML_ROLE:
            return self._html[index.row()]
        if role == HIT_ROLE:
            return hit
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.title}\n{hit.category}\n{hit.snippet}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}。{hit.snippet}"
        return None

    def hit(self, row: int) -> SearchHit | None:
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def _render(self, hit: SearchHit) -> str:
        expired = (f' <span style="color:#c62828;font-weight:bold">{html.escape(self.tr("【已过期】"))}</span>'
                   if hit.expired else "")
        meta = html.escape(hit.category.replace("/", " / ")) if hit.category else ""
        version = html.escape(self.tr("第%1版").replace("%1", str(hit.version)))
        if self.compact:  # suggestions: the title and where it belongs; the snippet is in the tooltip
            leaf = html.escape(hit.category.rsplit("/", 1)[-1]) if hit.category else ""
            return (f'<span style="font-weight:600">{html.escape(hit.title)}</span>{expired}'
                    f'<span style="color:#757575;font-size:small">　{leaf}</span>')
        title = marked_html(hit.title, hit.title_highlights, color=MARK_COLOR)
        cut = hit.snippet[:RESULT_SNIPPET_CHARS]
        snippet = marked_html(cut, hit.highlights, color=MARK_COLOR) + ("…" if len(hit.snippet) > len(cut) else "")
        return (f'<div style="font-weight:600">{title}{expired}</div>'
                f'<div style="color:#757575;font-size:small">{meta} · {version}</div>'
                f"<div>{snippet}</div>")

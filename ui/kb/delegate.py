"""Draws knowledge-base hits as rich text. Imported on first use (results or the idle warm-up), not at start-up:
creating these Qt types costs start-up time the seat does not have."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize
from PySide6.QtGui import QAbstractTextDocumentLayout, QImage, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.kb.models import HTML_ROLE, KbHitModel

Index = QModelIndex | QPersistentModelIndex


class RichTextDelegate(QStyledItemDelegate):
    """Draws HTML_ROLE with word wrap at the view's width (heights follow the text).

    Laying out rich text costs about a millisecond a row, and the view asks for sizes many times: documents are
    kept per (text, width), so each row is laid out once per width.
    """

    PAD = 4
    CACHE_SIZE = 128

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        self._docs: dict[tuple[str, int, str], QTextDocument] = {}

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        text = str(index.data(HTML_ROLE) or "")
        width = max(self.view.viewport().width() - 2, 80)
        font = option.font
        key = (text, width, font.key())
        doc = self._docs.get(key)
        if doc is None:
            if len(self._docs) >= self.CACHE_SIZE:
                self._docs.clear()
            doc = QTextDocument()
            doc.setDocumentMargin(self.PAD)
            doc.setDefaultFont(font)
            doc.setHtml(text)
            doc.setTextWidth(width)
            self._docs[key] = doc
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        doc = self._document(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(QPalette.ColorRole.Text))
        rect = opt.rect
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        doc = self._document(option, index)
        return QSize(int(doc.textWidth()), int(doc.size().height()) + 2)


@dataclass(frozen=True)
class SampleHit:
    """Shaped like knowledge_base.SearchHit, for warming up the drawing code without importing the index."""

    id: str = "sample"
    score: float = 1.0
    title: str = "示例文章标题 医保"
    snippet: str = "示例摘要：医保报销、公积金提取、噪音扰民、供暖不热，来电咨询时按答复口径答复。"
    highlights: tuple[tuple[int, int], ...] = ((5, 7),)
    title_highlights: tuple[tuple[int, int], ...] = ((7, 9),)
    expired: bool = True
    version: int = 1
    category: str = "卫生计生/医疗保障"


def install(view: QListView) -> None:
    """Give view the rich-text delegate (once)."""
    if not isinstance(view.itemDelegate(), RichTextDelegate):
        view.setItemDelegate(RichTextDelegate(view))


def warm_up(view: QListView) -> None:
    """Lay out and draw one sample row of each kind off screen: the first rich-text row costs tens of
    milliseconds (Qt types and fonts initialised lazily), better spent while the operator is idle than on
    their first search."""
    install(view)
    delegate = view.itemDelegate()
    image = QImage(320, 120, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        for compact in (False, True):
            model = KbHitModel(compact=compact)
            model.set_hits([SampleHit()])  # type: ignore[list-item]
            option = QStyleOptionViewItem()
            option.initFrom(view)
            option.rect = QRect(0, 0, 320, 120)
            index = model.index(0)
            delegate.sizeHint(option, index)
            delegate.paint(painter, option, index)
    finally:
        painter.end()

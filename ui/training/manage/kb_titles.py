"""The title of a knowledge-base article by its id, from the seat's own copy of the knowledge base (the editor shows
it beside the id a key cites). Blocks: run it on a reader thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def article_titles(data_dir: Path) -> Callable[[str], str | None]:
    from ui.kb.backend import kb_path  # the file the desk's knowledge-base panels read

    path = kb_path(data_dir)

    def title(article_id: str) -> str | None:
        from knowledge_base import KnowledgeBase

        if not path.is_file():
            return None
        kb = KnowledgeBase.open(path, readonly=True)
        try:
            article = kb.get(article_id)
        finally:
            kb.close()
        return article.title if article is not None else None

    return title

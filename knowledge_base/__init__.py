"""Policy knowledge base: articles, a Chinese full-text index in SQLite, search and suggestions. Never imports Qt."""

from knowledge_base.kb import KnowledgeBase
from knowledge_base.model import Article, ImportIssue, ImportReport, KnowledgeBaseError, SearchHit

__all__ = ["Article", "ImportIssue", "ImportReport", "KnowledgeBase", "KnowledgeBaseError", "SearchHit"]

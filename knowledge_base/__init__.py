"""Policy knowledge base: articles, a Chinese full-text index in SQLite, search and suggestions. Never imports Qt."""

from contract.kb_article import Article
from knowledge_base.kb import KnowledgeBase
from knowledge_base.model import ImportIssue, ImportReport, KnowledgeBaseError, SearchHit

__all__ = ["Article", "ImportIssue", "ImportReport", "KnowledgeBase", "KnowledgeBaseError", "SearchHit"]

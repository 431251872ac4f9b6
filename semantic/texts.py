"""The texts the encoder reads, cut to bound the cost: one definition for the server, the seat and the benchmarks.

Encoding cost grows with length (~1.5 ms per token on one core; Chinese is about one token per character), and
what decides the meaning of a policy answer, a reply or a complaint is said first, so passages are cut.
"""

from __future__ import annotations

ARTICLE_CHARS = 800
CASE_CHARS = 400
QUERY_CHARS = 200


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def worth_encoding(query: str) -> bool:
    """Whether a typed query carries meaning the encoder can read: at least two Chinese characters. Pinyin
    initials ("gjj" for 公积金), codes and single characters are the lexical search's to answer; their vectors
    point anywhere and, fused, buried the right articles."""
    return sum(1 for ch in query if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf") >= 2


def query_text(text: str) -> str:
    """A typed search query."""
    return _squeeze(text)[:QUERY_CHARS]


def article_passage(title: str, body: str) -> str:
    """A knowledge-base article: title then body."""
    return _squeeze(f"{title} {body}")[:ARTICLE_CHARS]


def case_passage(content: str) -> str:
    """A case's content (what the citizen said, as typed or as written in by a channel)."""
    return _squeeze(content)[:CASE_CHARS]

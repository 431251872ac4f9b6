"""Turn an article into weighted index terms (BM25F-style field weights; pure, thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contract.kb_article import Article
from knowledge_base.pinyin_keys import initials_keys, title_initials
from knowledge_base.text import gram_keys, normalize

# Measured on ../shared/data/kb (tune half chosen, held-out half confirmed; benchmarks/kb_quality.py): these constants
# sit at a plateau. Grids over k1 (0.8-1.4), b (0.7-0.95), idf exponent (1-2), the unigram share and the opening
# (weight 0-2, 40-160 chars) move tune Recall@5 by under half a point. RM3-style feedback, trigram/proximity
# re-ranking, skip-bigrams, passage (MaxP) scoring, LSA, fusion with TF-IDF cosine or Dirichlet query likelihood, a
# small learned linear re-ranker, a jieba word field and a translation table learned on the tune half each moved
# held-out Recall@5 by at most ~1.4 points on one corpus, usually at a cost on the other; so none is in the engine.
# Most remaining misses share few or no bigrams with the relevant article (generic replies, answer spans that do not
# restate the question).
K1 = 1.0
B = 0.85  # strong length normalisation: long multi-topic replies should not win on volume alone
TITLE_WEIGHT = 3.0
META_WEIGHT = 2.0  # keywords, category, departments
OPENING_CHARS = 80  # the body's opening, where replies restate the issue ("您反映的……问题")
OPENING_WEIGHT = 0.5  # extra weight of the opening on top of its weight as body text
PINYIN_WEIGHT = 1.0
DEFAULT_AVGDL = 200.0


@dataclass(frozen=True)
class Analysed:
    """Index terms of one article: keys, term frequencies (field-weighted) and document length."""

    keys: np.ndarray  # int64, ascending
    tfs: np.ndarray  # float32
    length: float
    pinyin: tuple[int, ...]

    def weights(self, avgdl: float) -> np.ndarray:
        """BM25 saturated term weights for the given average document length."""
        norm = K1 * (1.0 - B + B * self.length / max(avgdl, 1.0))
        return (self.tfs * (K1 + 1.0) / (self.tfs + norm)).astype(np.float32)


def meta_text(article: Article) -> str:
    """Keywords, category path and departments as one searchable text."""
    parts = list(article.keywords) + article.category.split("/") + list(article.departments)
    return " ".join(p for p in parts if p)


def fields(article: Article) -> tuple[tuple[str, float], ...]:
    """The weighted text fields of an article (BM25F): title, metadata, the body's opening (extra) and the body."""
    return (
        (article.title, TITLE_WEIGHT),
        (meta_text(article), META_WEIGHT),
        (article.body.lstrip()[:OPENING_CHARS], OPENING_WEIGHT),
        (article.body, 1.0),
    )


def analyse(article: Article, *, with_pinyin: bool = True) -> Analysed:
    """Weighted unigram+bigram terms of title, metadata and body."""
    chunks: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    length = 0.0
    for text, weight in fields(article):
        if not text:
            continue
        uni, bi = gram_keys(normalize(text))
        length += weight * uni.size
        for arr in (uni, bi):
            if arr.size:
                chunks.append(arr)
                weights.append(np.full(arr.size, weight, dtype=np.float32))
    if chunks:
        keys, inverse = np.unique(np.concatenate(chunks), return_inverse=True)
        tfs = np.bincount(inverse, weights=np.concatenate(weights)).astype(np.float32)
    else:
        keys, tfs = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    pinyin: tuple[int, ...] = ()
    if with_pinyin and article.title:
        pinyin = tuple(initials_keys(title_initials(normalize(article.title))))
    return Analysed(keys, tfs, length, pinyin)


def term_weights(analysed: Analysed, avgdl: float) -> tuple[np.ndarray, np.ndarray]:
    """All (keys, weights) to store for the article, pinyin keys included."""
    keys, weights = analysed.keys, analysed.weights(avgdl)
    if analysed.pinyin:
        keys = np.concatenate([keys, np.array(analysed.pinyin, dtype=np.int64)])
        weights = np.concatenate([weights, np.full(len(analysed.pinyin), PINYIN_WEIGHT, dtype=np.float32)])
    return keys, weights

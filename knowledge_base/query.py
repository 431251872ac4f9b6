"""Turn what a person typed into weighted index terms (pure, thread-safe)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from knowledge_base.pinyin_keys import query_keys
from knowledge_base.synonyms import SynonymTable
from knowledge_base.text import BIGRAM_SHIFT, gram_keys, normalize

MAX_QUERY_CHARS = 20_000
SYNONYM_WEIGHT = 0.8
_LOW = (1 << BIGRAM_SHIFT) - 1
PINYIN_WEIGHT = 2.0
SHORT_QUERY_CHARS = 3  # up to this many characters every matching character is highlighted
# Intent and question words that say nothing about the subject; removed when something else remains.
_STOP = re.compile(
    "请问|咨询|反映|投诉|举报|关于|建议|问题|请求|希望|要求|什么|哪些|哪几|如何|怎么|怎样|多少|何时|是否|有何|哪里|哪个|为什么|吗|呢"
)


# Invisible characters inside a typed or pasted query (NUL and other controls, zero-width spaces, BOM) join the text
# around them rather than split a word; tabs and line breaks stay separators.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f\u200b-\u200d\u2060\ufeff]")


@dataclass
class QueryPlan:
    """Candidate terms with their query-side multipliers, and the strings to highlight."""

    multipliers: dict[int, float] = field(default_factory=dict)
    highlight: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # bigram keys
    singles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # unigram keys

    @property
    def empty(self) -> bool:
        return not self.multipliers


def _add(plan: dict[int, float], keys: np.ndarray, weight: float, *, sublinear: bool) -> None:
    if keys.size == 0:
        return
    uniq, counts = np.unique(keys, return_counts=True)
    for key, count in zip(uniq.tolist(), counts.tolist(), strict=True):
        value = weight * (1.0 + math.log(count)) if sublinear else weight
        if value > plan.get(key, 0.0):
            plan[key] = value


def strip_intent(norm_query: str) -> str:
    """The query without intent words, unless that leaves fewer than two searchable characters."""
    stripped = _STOP.sub(" ", norm_query)
    uni, _ = gram_keys(stripped)
    return stripped if uni.size >= 2 else norm_query


def plan_query(query: str, synonyms: SynonymTable, *, long_text: bool = False) -> QueryPlan:
    """Weighted terms: unigrams and bigrams of the query, synonym alternatives, pinyin initials."""
    text = normalize(_INVISIBLE.sub("", query[:MAX_QUERY_CHARS]))
    core = strip_intent(text)
    terms: dict[int, float] = {}
    uni, bi = gram_keys(core)
    _add(terms, uni, 1.0, sublinear=long_text)
    _add(terms, bi, 1.0, sublinear=long_text)
    highlight = set(bi.tolist())
    singles = set(uni.tolist())
    if uni.size > SHORT_QUERY_CHARS:
        singles -= {k >> BIGRAM_SHIFT for k in highlight} | {k & _LOW for k in highlight}
    for alt in synonyms.alternatives(core):
        a_uni, a_bi = gram_keys(alt)
        _add(terms, a_uni, SYNONYM_WEIGHT, sublinear=False)
        _add(terms, a_bi, SYNONYM_WEIGHT, sublinear=False)
        highlight.update(a_bi.tolist())
        if a_uni.size == 1:
            singles.add(int(a_uni[0]))
    pinyin = query_keys(text)
    if pinyin:
        for key in pinyin:
            terms[key] = PINYIN_WEIGHT
    return QueryPlan(
        terms, np.array(sorted(highlight), dtype=np.int64), np.array(sorted(singles), dtype=np.int64)
    )

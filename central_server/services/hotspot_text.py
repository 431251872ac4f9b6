"""What a case is about, as a set of character bigrams (blended with its sentence vector's similarity where it has
one), and a short title of it without personal data."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from central_server.services.hotspot_config import HotspotConfig

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]+")
_DIGITS = re.compile(r"\d[\d\s-]{3,}\d")  # phone numbers, ID and house numbers


def bigrams(text: str, *, limit: int, drop: Iterable[str] = (), stop: frozenset[str] = frozenset()) -> frozenset[str]:
    """The distinct character bigrams of the first `limit` characters of `text`, without the place's own words
    (`drop`: every case of a place shares them, so they would make different issues there look alike) and the
    hotline's stock phrases (`stop`)."""
    text = unicodedata.normalize("NFKC", text)[:limit]
    for word in drop:
        if len(word) >= 2:
            text = text.replace(word, " ")
    out: set[str] = set()
    for run in _KEEP.findall(text):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(out - stop)


def cosine(case: frozenset[str], group: Mapping[str, int]) -> float:
    """Cosine between a case's bigram set (weights 1) and a group's bigram counts."""
    if not case or not group:
        return 0.0
    dot = sum(group.get(b, 0) for b in case)
    norm = math.sqrt(len(case)) * math.sqrt(sum(c * c for c in group.values()))
    return dot / norm if norm else 0.0


def blend(lexical: float, meaning: float | None, config: HotspotConfig) -> float:
    """The similarity that decides: the bigram cosine alone when there is no vector to compare (a case not yet
    embedded, no encoder), else weighted with the calibrated cosine of the vectors (case_meaning.calibrated)."""
    if meaning is None:
        return lexical
    return (1.0 - config.meaning_weight) * lexical + config.meaning_weight * meaning


def add_to_signature(signature: dict[str, int], case: frozenset[str], size: int) -> dict[str, int]:
    """The group's signature with the case counted in, trimmed to the `size` most frequent bigrams."""
    merged = dict(signature)
    for b in sorted(case):
        merged[b] = merged.get(b, 0) + 1
    if len(merged) <= size:
        return merged
    kept = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return dict(kept)


def title_of(content: str, *, caller_name: str = "", max_chars: int = 40) -> str:
    """The first sentence of the content, shortened, with the caller's name and any long digit run masked."""
    text = unicodedata.normalize("NFKC", content).strip()
    sentence = re.split(r"[。！？!?\n]", text, maxsplit=1)[0].strip() or text
    if caller_name and len(caller_name.strip()) >= 2:
        sentence = sentence.replace(caller_name.strip(), "**")
    sentence = _DIGITS.sub("***", sentence)
    return sentence[:max_chars] + ("…" if len(sentence) > max_chars else "")

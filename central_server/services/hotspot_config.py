"""The hot-spot settings in resources/lead/hotspots.toml: grouping parameters and the 督办 suggestion threshold."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from central_server.core.errors import ServerError

FILE = Path("lead") / "hotspots.toml"


class HotspotConfigError(ServerError):
    status = 500
    code = "hotspot_config"


@dataclass(frozen=True)
class HotspotConfig:
    window_days: int = 30
    min_similarity: float = 0.15
    min_similarity_broad: float = 0.45
    same_category_bonus: float = 0.1
    signature_size: int = 80
    content_chars: int = 120
    stop_bigrams: frozenset[str] = frozenset()
    suggest_threshold: int = 3
    suggest_days: int = 30
    min_size: int = 2
    max_cases_listed: int = 100
    # [meaning]: sentence vectors blended with the bigram similarity where a case has one (issue 18)
    meaning_weight: float = 0.5
    probe_cosine_floor: float = 0.90
    probe_cosine_full: float = 0.95
    group_cosine_floor: float = 0.92
    group_cosine_full: float = 0.97


@lru_cache(maxsize=8)
def load_hotspot_config(resources: Path) -> HotspotConfig:
    """Read <resources>/lead/hotspots.toml; a missing file gives the defaults, a broken one an error naming it."""
    path = resources / FILE
    if not path.exists():
        return HotspotConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        grouping, suggestion, ranking, meaning = (_table(data, k) for k in ("grouping", "suggestion", "ranking",
                                                                            "meaning"))
        d = HotspotConfig()
        config = HotspotConfig(
            window_days=_int(grouping, "window_days", d.window_days, 1, 365),
            min_similarity=_float(grouping, "min_similarity", d.min_similarity),
            min_similarity_broad=_float(grouping, "min_similarity_broad", d.min_similarity_broad),
            same_category_bonus=_float(grouping, "same_category_bonus", d.same_category_bonus),
            signature_size=_int(grouping, "signature_size", d.signature_size, 8, 1000),
            content_chars=_int(grouping, "content_chars", d.content_chars, 20, 5000),
            stop_bigrams=frozenset(str(s) for s in grouping.get("stop_bigrams", [])),
            suggest_threshold=_int(suggestion, "threshold", d.suggest_threshold, 2, 10_000),
            suggest_days=_int(suggestion, "days", d.suggest_days, 1, 365),
            min_size=_int(ranking, "min_size", d.min_size, 2, 10_000),
            max_cases_listed=_int(ranking, "max_cases_listed", d.max_cases_listed, 1, 10_000),
            meaning_weight=_float(meaning, "weight", d.meaning_weight),
            probe_cosine_floor=_float(meaning, "probe_cosine_floor", d.probe_cosine_floor),
            probe_cosine_full=_float(meaning, "probe_cosine_full", d.probe_cosine_full),
            group_cosine_floor=_float(meaning, "group_cosine_floor", d.group_cosine_floor),
            group_cosine_full=_float(meaning, "group_cosine_full", d.group_cosine_full),
        )
        if not (config.probe_cosine_floor < config.probe_cosine_full
                and config.group_cosine_floor < config.group_cosine_full):
            raise ValueError("[meaning] each cosine floor must be below its full")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise HotspotConfigError(f"{path} is broken: {exc}") from exc
    return config


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"[{key}] must be a table")
    return value


def _int(table: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number from {low} to {high}")
    return value


def _float(table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{key} must be a number from 0 to 1")
    return float(value)

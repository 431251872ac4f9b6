"""Labelled routing data: reading the CSV and splitting it by normalised title/body groups (never by row)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import RoutingDataError
from .text import group_key, normalised_body


@dataclass(frozen=True)
class Example:
    """One labelled message: title and/or body with its top-level category."""

    title: str
    body: str
    label: str


def read_examples(path: str | Path) -> list[Example]:
    """Read `id,title,body,label` rows; rows with no text or no label are skipped."""
    path = Path(path)
    if not path.is_file():
        raise RoutingDataError(f"The data file {path} does not exist.")
    out: list[Example] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "body", "label"} - set(reader.fieldnames or [])
        if missing:
            raise RoutingDataError(f"The data file {path} lacks the column(s): {', '.join(sorted(missing))}.")
        for row in reader:
            title = (row.get("title") or "").strip()
            body = (row.get("body") or "").strip()
            label = (row.get("label") or "").strip()
            if label and (title or body):
                out.append(Example(title, body, label))
    if not out:
        raise RoutingDataError(f"The data file {path} holds no labelled rows.")
    return out


def group_ids(examples: list[Example], *, near_duplicates: bool = True) -> list[str]:
    """A group id per example: rows linked by a shared normalised title or body share a group.

    With `near_duplicates` (the default) rows are also linked when their titles or bodies are
    near-identical or one row's title is contained in another's body (`neardup`), so the two halves
    of one message and re-scraped copies never straddle a split.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    firsts: list[str] = []
    titles: list[str] = []
    bodies: list[str] = []
    for index, ex in enumerate(examples):
        title_key, body_key = group_key(ex.title, ex.body)
        keys = [k for k in (f"t:{title_key}" if title_key else "", f"b:{body_key}" if body_key else "") if k]
        if not keys:
            keys = [f"row:{index}"]
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
        firsts.append(keys[0])
        titles.append(title_key)
        bodies.append(normalised_body(ex.body))
    if near_duplicates:
        from .neardup import contained_pairs, similar_pairs

        for i, j in similar_pairs(titles) + similar_pairs(bodies) + contained_pairs(titles, bodies):
            parent[find(firsts[i])] = find(firsts[j])
    return [find(k) for k in firsts]


def group_split(
    examples: list[Example], *, test_percent: int = 20, salt: str = "routing-v1"
) -> tuple[list[int], list[int]]:
    """Deterministic split of row indices into (train, test) by hashing each row's group id."""
    train: list[int] = []
    test: list[int] = []
    for index, group in enumerate(group_ids(examples)):
        bucket = int(hashlib.sha256(f"{salt}:{group}".encode()).hexdigest()[:8], 16) % 100
        (test if bucket < test_percent else train).append(index)
    return train, test


def augment(examples: list[Example]) -> list[Example]:
    """The examples plus, for each row with both fields, a title-only and a body-only copy.

    Operators often type a short summary first, so the model also learns from titles alone.
    """
    out = list(examples)
    for ex in examples:
        if ex.title and ex.body:
            out.append(Example(ex.title, "", ex.label))
            out.append(Example("", ex.body, ex.label))
    return out

"""The quality scoresheet (质检评分表): `resources/quality/scoresheet.toml`, checked when it is loaded.

Every item has an id, a Chinese title, a description (the lead's scoring guide), `max_points` (the points a lead
may give, 0..max) and a `weight`; the weights add up to the sheet's `total` (100). A review's total is
Σ points / max_points × weight, so items scored on different scales weigh what the sheet says. A review keeps the
sheet as it was when scored (`snapshot()`, with its sha256), so a later edit of the file never rewrites old scores.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from contract.errors import ConfigError

SHEET_FILE = Path("quality") / "scoresheet.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MAX_ITEMS = 30


@dataclass(frozen=True)
class SheetItem:
    id: str
    title: str
    description: str
    max_points: int
    weight: Decimal


@dataclass(frozen=True)
class Scoresheet:
    version: str
    title: str
    total: Decimal
    items: tuple[SheetItem, ...]
    sha256: str  # over the items and the version, as stored with each review

    def item(self, item_id: str) -> SheetItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def snapshot(self) -> dict[str, Any]:
        """What a review stores of the sheet it was scored on (JSON)."""
        return {"version": self.version, "sha256": self.sha256, "total": str(self.total),
                "items": [_item_json(i) for i in self.items]}

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "title": self.title, "total": float(self.total), "sha256": self.sha256,
                "items": [{**_item_json(i), "weight": float(i.weight)} for i in self.items]}


def _item_json(item: SheetItem) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "description": item.description, "max_points": item.max_points,
            "weight": str(item.weight)}


def total_of(snapshot: dict[str, Any], scores: dict[str, int]) -> float:
    """The review's total on the sheet it was scored on: Σ points / max × weight, two decimals."""
    total = Decimal(0)
    for item in snapshot["items"]:
        total += Decimal(scores[item["id"]]) / Decimal(item["max_points"]) * Decimal(item["weight"])
    return float(total.quantize(Decimal("0.01")))


def load_scoresheet(resources: Path) -> Scoresheet:
    """Read and check the sheet; a broken one raises ConfigError naming the file, the item and the problem."""
    path = resources / SHEET_FILE
    return parse_scoresheet(_read(path), str(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the scoresheet: {exc.strerror or exc}") from None


def parse_scoresheet(raw: bytes, name: str) -> Scoresheet:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(name, "", f"not valid UTF-8 TOML: {exc}") from None
    version = _text(data, "version", name, "the sheet")
    title = _text(data, "title", name, "the sheet")
    total = _number(data.get("total"), name, "the sheet", "total")
    items_raw = data.get("item")
    if not isinstance(items_raw, list) or not items_raw:
        raise ConfigError(name, "the sheet", "has no [[item]]: a scoresheet needs at least one item")
    if len(items_raw) > _MAX_ITEMS:
        raise ConfigError(name, "the sheet", f"has {len(items_raw)} items; at most {_MAX_ITEMS}")
    items: list[SheetItem] = []
    for index, entry in enumerate(items_raw, start=1):
        items.append(_item(entry, name, index, {i.id for i in items}))
    weights = sum((i.weight for i in items), Decimal(0))
    if weights != total:
        raise ConfigError(name, "the sheet", f"the items' weights add up to {weights}, not to total = {total}")
    digest = hashlib.sha256(json.dumps({"version": version, "items": [_item_json(i) for i in items]},
                                       ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    return Scoresheet(version, title, total, tuple(items), digest)


def _item(entry: object, file: str, index: int, seen: set[str]) -> SheetItem:
    if not isinstance(entry, dict):
        raise ConfigError(file, f"item {index}", "must be a table ([[item]])")
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not _ID.match(raw_id):
        raise ConfigError(file, f"item {index}", "needs an id of lower-case letters, digits and _ (at most 32)")
    place = f"item {index} '{raw_id}'"
    if raw_id in seen:
        raise ConfigError(file, place, "the id is used by an earlier item")
    title = _text(entry, "title", file, place)
    description = _text(entry, "description", file, place)
    max_points = entry.get("max_points")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or not 1 <= max_points <= 100:
        raise ConfigError(file, place, "max_points must be a whole number from 1 to 100")
    weight = _number(entry.get("weight"), file, place, "weight")
    unknown = set(entry) - {"id", "title", "description", "max_points", "weight"}
    if unknown:
        raise ConfigError(file, place, f"unknown keys: {', '.join(sorted(unknown))}")
    return SheetItem(raw_id, title, description, max_points, weight)


def _text(table: dict[str, Any], key: str, file: str, place: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, place, f"{key} must be a non-empty text")
    return value.strip()


def _number(value: object, file: str, place: str, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(file, place, f"{key} must be a positive number")
    return Decimal(str(value))



_cache: dict[Path, tuple[bytes, Scoresheet]] = {}


def current_scoresheet(resources: Path) -> Scoresheet:
    """The sheet as the file is now (a small file, read on every call: an edit takes effect at once and is
    never missed for a coarse modification time); parsed again only when its bytes changed."""
    path = resources / SHEET_FILE
    raw = _read(path)
    cached = _cache.get(path)
    if cached is not None and cached[0] == raw:
        return cached[1]
    sheet = parse_scoresheet(raw, str(path))
    _cache[path] = (raw, sheet)
    return sheet

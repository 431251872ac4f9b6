"""Compact display of category paths for tables."""

from __future__ import annotations


def short_category(path: str) -> str:
    """'城乡建设/物业管理/收费' → '物业管理/收费' (the top level is implied in a list)."""
    parts = path.split("/")
    return "/".join(parts[1:]) if len(parts) > 1 else path

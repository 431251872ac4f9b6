"""What taking a routing suggestion does to the category the operator has typed or chosen.

The model suggests a top-level category (sometimes a whole leaf path). A complete leaf the operator already chose
is more specific than a top-level guess and is never replaced by one from another branch: the suggestion is then
not taken at all (its unit belongs to the other branch), and the operator is told; clearing the category first
takes it. A suggestion in the chosen leaf's branch keeps the leaf and takes the unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryTake:
    conflict: bool  # the operator's chosen leaf lies in another branch: take nothing
    path: str | None  # the path to set, None to keep what is there
    pick_leaf: bool  # `path` is a branch: open the list for the operator to pick its leaf


def take_category(current: str, suggested: str, leaves: frozenset[str] | tuple[str, ...]) -> CategoryTake:
    """`current` and `suggested` are stored paths ('a/b/c'); `leaves` the city's complete category paths."""
    suggested = suggested.strip("/")
    if current == suggested or current.startswith(suggested + "/"):
        return CategoryTake(conflict=False, path=None, pick_leaf=current not in leaves)
    if current in leaves:
        return CategoryTake(conflict=True, path=None, pick_leaf=False)
    return CategoryTake(conflict=False, path=suggested, pick_leaf=suggested not in leaves)

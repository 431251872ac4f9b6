"""Give a widget its object name (the style sheet's and the tests' handle) where it is made."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

_Q = TypeVar("_Q", bound=QObject)


def named(obj: _Q, name: str) -> _Q:
    """`obj` with its object name set: PySide6 accepts `objectName=` as a keyword, its type stubs do not."""
    obj.setObjectName(name)
    return obj

"""A secure keyring held in memory, for tests that need one (the run itself has none: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import keyring


class MemoryKeyring:
    """Answers as a desktop session's keyring would. Not a KeyringBackend subclass: keyring offers every such
    class it has seen as this process's keyring, in every later test."""

    priority = 5

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@contextmanager
def installed(backend: Any) -> Iterator[Any]:
    """`backend` is keyring.get_keyring()'s answer inside the block."""
    original = keyring.get_keyring
    keyring.get_keyring = lambda: backend
    try:
        yield backend
    finally:
        keyring.get_keyring = original

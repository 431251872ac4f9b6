"""Tokens and the seat credential live in the OS keyring; with no secure backend, only in memory."""

from __future__ import annotations

import contextlib
import logging
import threading

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)
SERVICE = "operator-desk"


class SecretStore:
    """Names → secret strings. `secure` is False when secrets live only in this process's memory."""

    def __init__(self, backend: KeyringBackend | None) -> None:
        self._backend = backend
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def secure(self) -> bool:
        return self._backend is not None

    def get(self, name: str) -> str | None:
        with self._lock:
            if self._backend is None:
                return self._memory.get(name)
            return self._backend.get_password(SERVICE, name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            if self._backend is None:
                self._memory[name] = value
            else:
                self._backend.set_password(SERVICE, name, value)

    def delete(self, name: str) -> None:
        with self._lock:
            if self._backend is None:
                self._memory.pop(name, None)
                return
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE, name)


def _usable(backend: KeyringBackend) -> bool:
    """A real, secure backend: not the 'fail' or plain-text ones keyring falls back to."""
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")) or "PlaintextKeyring" in name:
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a backend whose priority probe fails is not usable
        return False


def open_secret_store() -> SecretStore:
    """The OS keyring when there is a secure one; otherwise memory only (never a plain file)."""
    backend = keyring.get_keyring()
    if _usable(backend):
        return SecretStore(backend)
    log.warning("no secure keyring backend: tokens and the seat credential stay in memory for this session")
    return SecretStore(None)


def seat_credential_key(seat_id: str) -> str:
    return f"seat:{seat_id}:credential"


def refresh_token_key(seat_id: str, operator_id: str) -> str:
    return f"seat:{seat_id}:operator:{operator_id}:refresh"

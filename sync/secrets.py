"""The seat's secrets: its credential, the operators' refresh tokens and their offline verifiers.

They live in the OS keyring. Where there is no secure keyring, what must outlive the process — the seat's
credential (without it the seat cannot prove it is itself, and only an administrator's reset lets it register
again) and the offline verifiers — goes to a file only this OS account can read (0600 in a 0700 folder) in the
platform's user config folder, never in the data directory (a copied data directory must not carry the seat's
identity along); refresh tokens then stay in memory only.

An offline verifier lets an operator log in while the central server is unreachable: an argon2id hash of the
password, bound to the seat and the operator, cached at that operator's last online sign-in at this seat. It is
never the password, and the server also knows that sign-in (a pushed change may name only an operator who signed
in at the seat).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring.errors
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from keyring.backend import KeyringBackend

from operator_app.private_files import (
    KEYRING_SERVICE,
    SECRETS,
    make_private_dir,
    private_dir,
    secure_keyring,
    write_private,
)

log = logging.getLogger(__name__)
SECRETS_FILE = "seat-secrets.json"
# The server's argon2id parameters (central_server/core/security.py): ~0.1 s per offline login.
_verifier_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class SecretFile:
    """Names → secrets in one JSON file readable only by this OS account; every write replaces it whole."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, name: str) -> str | None:
        return self._read().get(name)

    def set(self, name: str, value: str) -> None:
        with self._locked():
            data = self._read()
            data[name] = value
            self._write(data)

    def delete(self, name: str) -> None:
        with self._locked():
            data = self._read()
            if data.pop(name, None) is not None:
                self._write(data)

    def _read(self) -> dict[str, str]:
        try:
            if sys.platform != "win32" and self.path.stat().st_mode & 0o077:
                os.chmod(self.path, 0o600)  # someone loosened it: close it again before reading
                log.warning("the secrets file %s was readable by others; made private again", self.path)
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("the secrets file %s cannot be read (%s): treated as empty", self.path, type(exc).__name__)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        make_private_dir(self.path.parent)
        write_private(self.path, json.dumps(data).encode("utf-8"))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Between processes of this account (two desks, a desk and a CLI): an advisory lock where there is one."""
        try:
            import fcntl
        except ImportError:  # Windows: one desk per account and seat is the rule there
            yield
            return
        make_private_dir(self.path.parent)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


class SecretStore:
    """Names → secret strings: the keyring `backend`; without one, durable names in `file` (when given) and the
    rest in this process's memory."""

    def __init__(self, backend: KeyringBackend | None, *, file: SecretFile | None = None) -> None:
        self._backend = backend
        self._file = file if backend is None else None
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def secure(self) -> bool:
        """True with an OS keyring."""
        return self._backend is not None

    @property
    def file(self) -> Path | None:
        """The private file that holds the seat's credential, when there is no keyring."""
        return self._file.path if self._file is not None else None

    def get(self, name: str) -> str | None:
        with self._lock:
            if self._backend is not None:
                return self._backend.get_password(KEYRING_SERVICE, name)
            if self._file is not None and _durable(name):
                return self._file.get(name)
            return self._memory.get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.set_password(KEYRING_SERVICE, name, value)
            elif self._file is not None and _durable(name):
                self._file.set(name, value)
            else:
                self._memory[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            if self._backend is not None:
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    self._backend.delete_password(KEYRING_SERVICE, name)
            elif self._file is not None and _durable(name):
                self._file.delete(name)
            else:
                self._memory.pop(name, None)


def secrets_dir() -> Path:
    """`secrets` in the seat's private folder (operator_app/private_files.py), never the data directory."""
    return private_dir(SECRETS)


def open_secret_store(directory: Path | None = None) -> SecretStore:
    """The OS keyring when there is a secure one; otherwise the private file in `directory` (default
    `secrets_dir()`) for the seat's credential and verifiers, memory for tokens."""
    backend = secure_keyring()
    if backend is not None:
        return SecretStore(backend)
    file = SecretFile((directory or secrets_dir()) / SECRETS_FILE)
    log.warning("no secure keyring backend: the seat credential is kept in %s (readable only by this account), "
                "tokens in memory for this session", file.path)
    return SecretStore(None, file=file)


def seat_credential_key(seat_id: str) -> str:
    return f"seat:{seat_id}:credential"


def seat_asked_credential_key(seat_id: str) -> str:
    """The credential a seat chose and asked to register with, until the server's answer arrives."""
    return f"seat:{seat_id}:credential-asked"


def refresh_token_key(seat_id: str, operator_id: str) -> str:
    return f"seat:{seat_id}:operator:{operator_id}:refresh"


def verifier_key(seat_id: str, operator_id: str) -> str:
    return f"seat:{seat_id}:operator:{operator_id}:verifier"


def _durable(name: str) -> bool:
    return name.endswith((":credential", ":verifier"))


def make_verifier(seat_id: str, operator_id: str, password: str) -> str:
    """An argon2id hash of the password bound to this seat and operator (a copy is no use anywhere else)."""
    return _verifier_hasher.hash(_bound(seat_id, operator_id, password))


def verifier_matches(verifier: str, seat_id: str, operator_id: str, password: str) -> bool:
    try:
        return _verifier_hasher.verify(verifier, _bound(seat_id, operator_id, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _bound(seat_id: str, operator_id: str, password: str) -> str:
    return f"{seat_id}\n{operator_id}\n{password}"

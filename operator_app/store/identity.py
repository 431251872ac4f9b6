"""The seat's identity (id and code), kept apart from its store so that a lost store never makes a new seat.

Where: a small JSON file per data directory in the user's configuration folder, outside the data directory,
created 0600 in a 0700 folder; and, when the machine has a secure OS keyring, a second copy there. The file is
the record every process reads: the identity is not secret (it is printed by `outbox --json`), and an
administrator's shell (ssh, no desktop session) often cannot reach the keyring the desk uses, so a keyring-only
record would make `operator-app store check` disagree with the desk. The keyring copy brings the file back when
the configuration folder was wiped along with the data directory. The keyring is touched only when the file is
missing or changes (first start, recovery), so start-up does not pay for importing and probing it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from operator_app.private_files import (
    IDENTITY,
    KEYRING_SERVICE,
    make_private_dir,
    private_dir,
    secure_keyring,
    write_private,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeatIdentity:
    seat_id: str
    seat_code: str


def identity_dir() -> Path:
    """`seat-identity` in the seat's private folder (operator_app/private_files.py)."""
    return private_dir(IDENTITY)


def _key(data_dir: Path) -> str:
    """One record per data directory (a machine may run several seats, e.g. a training seat)."""
    return hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:32]


def identity_file(data_dir: Path) -> Path:
    return identity_dir() / f"{_key(data_dir)}.json"


def _parse(text: str) -> SeatIdentity | None:
    try:
        data: Any = json.loads(text)
        identity = SeatIdentity(str(data["seat_id"]), str(data["seat_code"]))
    except (ValueError, KeyError, TypeError):
        return None
    return identity if identity.seat_id and identity.seat_code else None


def load_identity(data_dir: Path) -> SeatIdentity | None:
    """The identity recorded for this data directory: the file, else the keyring copy (then the file again)."""
    path = identity_file(data_dir)
    try:
        found = _parse(path.read_text(encoding="utf-8"))
        if found is None:
            log.warning("the seat identity file %s is unreadable; trying the keyring copy", path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        log.warning("cannot read the seat identity file %s: %s", path, exc)
        found = None
    if found is not None:
        return found
    backend = secure_keyring()
    if backend is None:
        return None
    try:
        text = backend.get_password(KEYRING_SERVICE, _keyring_name(data_dir))
    except Exception as exc:  # noqa: BLE001 - a keyring that fails to answer is only a missing copy
        log.warning("the keyring did not answer for the seat identity: %s", exc)
        return None
    found = _parse(text) if text else None
    if found is not None:
        _write_file(path, data_dir, found)
    return found


def save_identity(data_dir: Path, identity: SeatIdentity) -> None:
    """Record the identity in the file and, when there is a secure keyring, there too."""
    _write_file(identity_file(data_dir), data_dir, identity)
    backend = secure_keyring()
    if backend is None:
        return
    try:
        backend.set_password(KEYRING_SERVICE, _keyring_name(data_dir), _dump(data_dir, identity))
    except Exception as exc:  # noqa: BLE001 - the file holds the record; the keyring copy is a spare
        log.warning("could not keep a copy of the seat identity in the keyring: %s", exc)


def _dump(data_dir: Path, identity: SeatIdentity) -> str:
    return json.dumps({"seat_id": identity.seat_id, "seat_code": identity.seat_code,
                       "data_dir": str(data_dir.resolve())}, ensure_ascii=False)


def _write_file(path: Path, data_dir: Path, identity: SeatIdentity) -> None:
    make_private_dir(path.parent)
    write_private(path, _dump(data_dir, identity).encode("utf-8"))


def _keyring_name(data_dir: Path) -> str:
    return f"seat-identity:{_key(data_dir)}"

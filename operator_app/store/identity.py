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

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from operator_app.paths import APP_NAME

log = logging.getLogger(__name__)
IDENTITY_DIR_ENV = "OPERATOR_APP_IDENTITY_DIR"
KEYRING_SERVICE = "operator-desk"  # the service sync/secrets.py keeps the seat's secrets under


@dataclass(frozen=True)
class SeatIdentity:
    seat_id: str
    seat_code: str


def identity_dir() -> Path:
    """$OPERATOR_APP_IDENTITY_DIR, else `<user config dir>/operator-desk/seat-identity`."""
    override = os.environ.get(IDENTITY_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "seat-identity"


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
    backend = _secure_keyring()
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
    backend = _secure_keyring()
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
    """Atomically, readable only by this OS account."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, _dump(data_dir, identity).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(partial, 0o600)  # O_CREAT's mode is masked by the umask; an existing partial keeps its mode
    os.replace(partial, path)


def _keyring_name(data_dir: Path) -> str:
    return f"seat-identity:{_key(data_dir)}"


def _secure_keyring() -> Any:
    """The OS keyring when it is a secure one (the same rule as sync/secrets.py), else None."""
    with contextlib.suppress(Exception):
        import keyring

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if name.startswith(("keyring.backends.fail", "keyring.backends.null")) or "PlaintextKeyring" in name:
            return None
        if float(backend.priority) > 0:
            return backend
    return None

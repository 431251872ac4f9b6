"""The seat's private files outside the data directory, and the one test of whether the OS keyring is secure.

What must not travel with a copied data directory — database keys and the seat's credential when there is no
secure keyring, the seat's identity record — lives in the platform's user config folder, one subfolder per
purpose, each 0700 with 0600 files. $OPERATOR_APP_PRIVATE_DIR replaces that folder (tests, benchmarks).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from operator_app.paths import APP_NAME

PRIVATE_DIR_ENV = "OPERATOR_APP_PRIVATE_DIR"
KEYRING_SERVICE = "operator-desk"  # the seat's one keyring service: credential, tokens, keys, identity copy

# The subfolders, by purpose; their names are on disk on every seat: never rename them.
SECRETS = "secrets"  # sync/secrets.py: the seat credential and offline verifiers, when there is no keyring
KEYS = "keys"  # store/keys.py: database key files, when there is no keyring
IDENTITY = "seat-identity"  # store/identity.py: the seat's id and code, one file per data directory


def private_dir(purpose: str) -> Path:
    """The folder for `purpose` (one of the names above): $OPERATOR_APP_PRIVATE_DIR/purpose, else the platform's
    user config folder/purpose. It may not exist yet: `make_private_dir` creates it."""
    override = os.environ.get(PRIVATE_DIR_ENV)
    if override:
        return Path(override) / purpose
    import platformdirs  # not at import: the desk's start-up path needs it only when a private file is used

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / purpose


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and its parents) and make it 0700, also when it existed with a looser mode."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":
        os.chmod(folder, 0o700)


def inside(folder: Path, data_dir: Path) -> bool:
    """Whether `folder` is `data_dir` or below it (after resolving links): private files must not be there."""
    resolved_data = data_dir.resolve()
    resolved = folder.resolve()
    return resolved == resolved_data or resolved_data in resolved.parents


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` atomically with a file only this OS account can read: 0600 from its creation, on disk
    (fsync) before it takes the name. The folder must exist (see `make_private_dir`)."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)  # a leftover may have another mode: O_EXCL makes a new one
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if sys.platform != "win32":
            os.fchmod(fd, 0o600)  # the umask may have taken bits off O_CREAT's mode
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def is_secure(backend: Any) -> bool:
    """A real, secure keyring backend: not the 'fail', 'null' or plain-text ones keyring falls back to."""
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")) or "PlaintextKeyring" in name:
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a backend whose priority probe fails is not usable
        return False


def secure_keyring() -> Any:
    """The OS keyring when it is a secure one, else None. keyring is imported here, not at start-up (~0.15 s)."""
    with contextlib.suppress(Exception):
        import keyring

        backend = keyring.get_keyring()
        if is_secure(backend):
            return backend
    return None

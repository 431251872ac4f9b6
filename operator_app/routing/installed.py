"""Routing releases the seat received from the central server, kept in the data dir beside the shipped model.

A release is a model's files and, when it came with them, the routing directory (`routing_directory.toml`) and the
leaf prototypes (`routing_leaves.json`, contract/routing_leaves.py); it is named by one sha256 over every file's
(name, sha256). Layout: `<data dir>/routing_models/<release>/` holds one release, `<data dir>/routing_models/CURRENT`
names the one in use. A download is written to a temporary folder and checked (every file against the server's
list, the release name against the files, the model the way `RoutingModel.load` checks it, the directory the way
`load_directory` reads it, the leaves' structure) before it is renamed into place and named current, so a
half-written or damaged release is never used; the shipped model, directory and leaves in `resources/` stay the
fallback. No Qt; numpy only when a model is checked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from contract.routing_leaves import LEAVES_FILE, parse

from .artifacts import content_hash
from .errors import RoutingModelError

log = logging.getLogger(__name__)
MODELS_DIR = "routing_models"
CURRENT = "CURRENT"
DIRECTORY = "routing_directory.toml"
release_id = content_hash  # a release is named as a model is, over all its files (the directory too)
_VERSION = re.compile(r"^[0-9a-f]{64}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / MODELS_DIR


def installed_version(data_dir: Path) -> str | None:
    """The version named current, when its folder exists."""
    try:
        version = (models_dir(data_dir) / CURRENT).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not _VERSION.match(version) or not (models_dir(data_dir) / version).is_dir():
        return None
    return version


def installed_model_dir(data_dir: Path) -> Path | None:
    version = installed_version(data_dir)
    return models_dir(data_dir) / version if version else None


def installed_directory(data_dir: Path) -> Path | None:
    """The routing directory that came with the current release, if one did."""
    folder = installed_model_dir(data_dir)
    return folder / DIRECTORY if folder is not None and (folder / DIRECTORY).is_file() else None


def installed_leaves(data_dir: Path) -> Path | None:
    """The leaf prototypes that came with the current release, if they did."""
    folder = installed_model_dir(data_dir)
    return folder / LEAVES_FILE if folder is not None and (folder / LEAVES_FILE).is_file() else None


def install(data_dir: Path, version: str, files: dict[str, bytes], hashes: dict[str, str]) -> Path:
    """Check a downloaded release and make it current; RoutingModelError (nothing changed) when anything is off."""
    from .directory import load_directory
    from .errors import DirectoryConfigError
    from .model import RoutingModel

    if not _VERSION.match(version):
        raise RoutingModelError(f"refused a routing model with a malformed version {version[:80]!r}")
    if set(files) != set(hashes) or not all(_FILE_NAME.match(name) for name in files):
        raise RoutingModelError(f"routing model {version[:12]}: the files differ from the list the server gave")
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != hashes[name]:
            raise RoutingModelError(f"routing model {version[:12]} refused: {name} was damaged on the way")
    if release_id(hashes) != version:
        raise RoutingModelError(f"routing model {version[:12]} refused: its files make another release")
    previous = installed_version(data_dir)
    root = models_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        for name, data in files.items():
            with (staging / name).open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        RoutingModel.load(staging)  # the manifest's hashes, the model version, the arrays' shapes
        if DIRECTORY in files:
            try:
                load_directory(staging / DIRECTORY)
            except DirectoryConfigError as exc:
                raise RoutingModelError(f"routing model {version[:12]} refused: {exc}") from exc
        if LEAVES_FILE in files:
            try:
                parse(files[LEAVES_FILE])
            except ValueError as exc:
                raise RoutingModelError(f"routing model {version[:12]} refused: {exc}") from exc
        final = root / version
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _name_current(root, version)
    _prune(root, keep={version, previous})  # the one before stays: a rollback needs no download
    return final


def _name_current(root: Path, version: str) -> None:
    pointer = root / f".{CURRENT}.tmp"
    with pointer.open("w", encoding="ascii") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, root / CURRENT)


def _prune(root: Path, keep: set[str | None]) -> None:
    for path in root.iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)

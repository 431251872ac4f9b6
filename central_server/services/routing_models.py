"""Published routing models: check a model directory's manifest, store its files, hand out the current one.

A model directory (`operator-app route train --out DIR`) holds `manifest.json`, which lists the sha256 of every
other file and the model version, one sha256 over the sorted (name, file sha256) pairs. The server refuses a
directory whose files do not match it; seats check everything again before they use a download.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid, NotFound
from central_server.db.models import RoutingModelFile, RoutingModelRelease

MANIFEST = "manifest.json"
FORMAT = 1
MAX_FILES = 64
MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Published:
    version: str
    files: dict[str, str]  # name -> sha256, manifest.json included
    new: bool  # False when this version had been published before (it is current again now)


def read_directory(directory: Path) -> dict[str, bytes]:
    """The regular files of a model directory (not its subfolders)."""
    if not directory.is_dir():
        raise Invalid(f"{directory} is not a folder holding a routing model")
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
    if len(files) > MAX_FILES or sum(len(b) for b in files.values()) > MAX_BYTES:
        raise Invalid(f"{directory} holds more than a routing model ({MAX_FILES} files, {MAX_BYTES >> 20} MB)")
    return files


def verify(files: dict[str, bytes]) -> tuple[str, dict[str, str]]:
    """(model version, name -> sha256) when every file matches the manifest; Invalid with the reason otherwise."""
    if MANIFEST not in files:
        raise Invalid(f"not a routing model: {MANIFEST} is missing")
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Invalid(f"the routing model's {MANIFEST} cannot be read: {exc}") from exc
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(listed, dict) or manifest.get("format") != FORMAT or "model.json" not in listed:
        raise Invalid(f"the routing model's {MANIFEST} is not format {FORMAT} or lists no model.json")
    for name, expected in listed.items():
        if name not in files:
            raise Invalid(f"the routing model is incomplete: {name} is missing")
        if hashlib.sha256(files[name]).hexdigest() != expected:
            raise Invalid(f"the routing model was refused: {name} does not match its manifest hash")
    extra = sorted(set(files) - set(listed) - {MANIFEST})
    if extra:
        raise Invalid(f"the routing model holds files its manifest does not list: {', '.join(extra)}")
    digest = hashlib.sha256()
    for name in sorted(listed):
        digest.update(f"{name}\0{listed[name]}\n".encode())
    version = digest.hexdigest()
    if manifest.get("model_version") != version:
        raise Invalid("the routing model was refused: its version does not match its content")
    return version, {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def publish(session: Session, files: dict[str, bytes], *, now: datetime) -> Published:
    """Store a checked model and make it current (commits)."""
    version, hashes = verify(files)
    release = session.get(RoutingModelRelease, version)
    new = release is None
    if release is None:
        session.add(RoutingModelRelease(version=version, published_at=now, files=hashes))
        session.flush()
        session.add_all(RoutingModelFile(version=version, name=name, data=data) for name, data in files.items())
    else:
        release.published_at = now
    session.commit()
    return Published(version, hashes, new)


def current(session: Session) -> RoutingModelRelease:
    """The model published most recently; NotFound when none has been."""
    release = session.scalars(
        select(RoutingModelRelease).order_by(RoutingModelRelease.published_at.desc()).limit(1)
    ).first()
    if release is None:
        raise NotFound("no routing model has been published: seats use the model they were installed with",
                       code="no_routing_model")
    return release


def file_data(session: Session, version: str, name: str) -> bytes:
    data = session.scalar(select(RoutingModelFile.data).where(RoutingModelFile.version == version,
                                                              RoutingModelFile.name == name))
    if data is None:
        raise NotFound(f"routing model {version[:12]} has no file {name}")
    return data

"""Published routing releases: check a model folder's manifest, store its files, hand out the current release.

A model folder (`operator-app route train --out DIR`) holds `manifest.json`, which lists the sha256 of every
other file and the model version, one sha256 over the sorted (name, file sha256) pairs. It may also hold the
routing directory (`routing_directory.toml`: category → lead and cooperating departments), which the seats then
use instead of the one they were installed with. A release is named by one sha256 over all its files, so a new
directory with the same model is a new release. The server refuses a folder whose files do not match the manifest
or whose directory names departments the city does not have, or whose leaf prototypes (`routing_leaves.json`,
contract/routing_leaves.py; outside the manifest like the directory) do not read; seats check everything again
before they use it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.core.errors import Invalid, NotFound
from central_server.db.models import RoutingModelFile, RoutingModelRelease
from contract.routing_leaves import LEAVES_FILE
from contract.routing_leaves import parse as parse_leaves

MANIFEST = "manifest.json"
DIRECTORY = "routing_directory.toml"
DISTRICT_LEAD = "@district"
FORMAT = 1
MAX_FILES = 64
MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    release: str  # one sha256 over every file's (name, sha256)
    model_version: str  # the manifest's content hash, recorded with each suggestion
    files: dict[str, str]  # name -> sha256, manifest.json (and the directory) included


@dataclass(frozen=True)
class Published:
    checked: Checked
    new: bool  # False when this release had been published before (it is current again now)


def read_directory(directory: Path) -> dict[str, bytes]:
    """The regular files of a model directory (not its subfolders)."""
    if not directory.is_dir():
        raise Invalid(f"{directory} is not a folder holding a routing model")
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
    if len(files) > MAX_FILES or sum(len(b) for b in files.values()) > MAX_BYTES:
        raise Invalid(f"{directory} holds more than a routing model ({MAX_FILES} files, {MAX_BYTES >> 20} MB)")
    return files


def release_id(hashes: dict[str, str]) -> str:
    """One sha256 over the sorted (file name, file sha256) pairs: the manifest's recipe, over every file."""
    digest = hashlib.sha256()
    for name in sorted(hashes):
        digest.update(f"{name}\0{hashes[name]}\n".encode())
    return digest.hexdigest()


def verify(files: dict[str, bytes], departments: Collection[str] | None = None) -> Checked:
    """The release when every model file matches the manifest and the directory, if any, reads and names only
    `departments`; Invalid with the reason otherwise."""
    if MANIFEST not in files:
        raise Invalid(f"not a routing model: {MANIFEST} is missing")
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Invalid(f"the routing model's {MANIFEST} cannot be read: {exc}") from exc
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(listed, dict) or manifest.get("format") != FORMAT or "model.json" not in listed:
        raise Invalid(f"the routing model's {MANIFEST} is not format {FORMAT} or lists no model.json")
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    for name, expected in listed.items():
        if name not in hashes:
            raise Invalid(f"the routing model is incomplete: {name} is missing")
        if hashes[name] != expected:
            raise Invalid(f"the routing model was refused: {name} does not match its manifest hash")
    extra = sorted(set(files) - set(listed) - {MANIFEST, DIRECTORY, LEAVES_FILE})
    if extra:
        raise Invalid(f"the routing model holds files its manifest does not list: {', '.join(extra)}")
    version = release_id(listed)
    if manifest.get("model_version") != version:
        raise Invalid("the routing model was refused: its version does not match its content")
    if DIRECTORY in files:
        _check_directory(files[DIRECTORY], departments)
    if LEAVES_FILE in files:
        try:
            parse_leaves(files[LEAVES_FILE])
        except ValueError as exc:
            raise Invalid(f"the routing model was refused: {exc}") from exc
    return Checked(release_id(hashes), version, hashes)


def _check_directory(raw: bytes, departments: Collection[str] | None) -> None:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"{DIRECTORY} cannot be read: {exc}") from exc
    routes, fallback = data.get("route", []), data.get("fallback", {})
    if not isinstance(routes, list) or not isinstance(fallback, dict) or not all(
        isinstance(r, dict) and isinstance(r.get("category"), str) and isinstance(r.get("lead"), str)
        and isinstance(r.get("cooperating", []), list) for r in routes
    ):
        raise Invalid(f"{DIRECTORY}: every [[route]] needs a category, a lead and, if any, a list of cooperating "
                      "departments")
    named = {str(r["lead"]) for r in routes} | {str(c) for r in routes for c in r.get("cooperating", [])}
    named |= {str(fallback["lead"])} if "lead" in fallback else set()
    unknown = sorted(n for n in named if departments is not None and n != DISTRICT_LEAD and n not in departments)
    if unknown:
        raise Invalid(f"{DIRECTORY} names departments the city does not have: {', '.join(unknown)}")


def publish(session: Session, files: dict[str, bytes], *, now: datetime,
            departments: Collection[str] | None = None) -> Published:
    """Store a checked release and make it current (commits)."""
    checked = verify(files, departments)
    release = session.get(RoutingModelRelease, checked.release)
    new = release is None
    if release is None:
        session.add(RoutingModelRelease(version=checked.release, model_version=checked.model_version,
                                        published_at=now, files=checked.files))
        session.flush()
        session.add_all(RoutingModelFile(version=checked.release, name=name, data=data)
                        for name, data in files.items())
    else:
        release.published_at = now
    session.commit()
    return Published(checked, new)


def current(session: Session) -> RoutingModelRelease:
    """The release published most recently; NotFound when none has been."""
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

"""The current routing release for seats: its version and file hashes, then each file (seat credentials needed).

Seats ask every few minutes and download only a release they do not have; they use it once every hash checks.
A file goes gzip-compressed to a client that accepts it (the shipped release: 12.6 MiB as published, 7.3 MiB
compressed); the seat checks the sha256 of what it decoded, so the check covers the compression too.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel

from central_server.api.deps import AppContext, ContextDep, SeatCall, SeatCallDep, authenticate_call
from central_server.services import routing_models

router = APIRouter(prefix="/routing", tags=["routing model"])
Version = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
FileName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]


class RoutingModelOut(BaseModel):
    version: str  # the release: one sha256 over every file's (name, sha256)
    model_version: str  # the manifest's content hash, which suggestions record
    published_at: str
    files: dict[str, str]  # file name -> sha256, manifest.json (and routing_directory.toml) included


@router.get("/model", response_model=RoutingModelOut)
async def current_model(ctx: ContextDep, call: SeatCallDep) -> RoutingModelOut:
    """The release published most recently; 404 `no_routing_model` when none has been."""
    return await ctx.sync_threads.run(_current, ctx, call)


def _current(ctx: AppContext, call: SeatCall) -> RoutingModelOut:
    with ctx.sessions() as session:
        authenticate_call(session, ctx, call)
        release = routing_models.current(session)
        return RoutingModelOut(version=release.version, model_version=release.model_version,
                               published_at=release.published_at.isoformat(), files=dict(release.files))


@router.get("/model/{version}/{name}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def model_file(version: Version, name: FileName, ctx: ContextDep, call: SeatCallDep,
                     accept_encoding: Annotated[str, Header()] = "") -> Response:
    """One file of a published release, as published (gzip-compressed when the client accepts gzip)."""
    compressed = "gzip" in accept_encoding.lower()
    data = await ctx.sync_threads.run(_file, ctx, call, version, name, compressed)
    headers = {"Content-Encoding": "gzip"} if compressed else None
    return Response(content=data, media_type="application/octet-stream", headers=headers)


def _file(ctx: AppContext, call: SeatCall, version: str, name: str, compressed: bool) -> bytes:
    with ctx.sessions() as session:
        authenticate_call(session, ctx, call)
        data = routing_models.file_data(session, version, name)
    return _GZIPPED.compress(data) if compressed else data


class _RecentlyCompressed:
    """gzip of the last few files served: 280 seats ask for the same release within minutes, so each file is
    compressed once per worker process. Keyed by the bytes themselves (a compare, not a compression)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def compress(self, data: bytes) -> bytes:
        key = hash(data[:4096]) ^ len(data)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == data:
                self._items.move_to_end(key)
                return hit[1]
        packed = gzip.compress(data, compresslevel=1)  # level 6 is twice the time for 5 % less
        with self._lock:
            self._items[key] = (data, packed)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return packed


_GZIPPED = _RecentlyCompressed()

"""The current routing release for seats: its version and file hashes, then each file (seat credentials needed).

Seats ask every few minutes and download only a release they do not have; they use it once every hash checks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
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
async def model_file(version: Version, name: FileName, ctx: ContextDep, call: SeatCallDep) -> Response:
    """One file of a published release, as published."""
    data = await ctx.sync_threads.run(_file, ctx, call, version, name)
    return Response(content=data, media_type="application/octet-stream")


def _file(ctx: AppContext, call: SeatCall, version: str, name: str) -> bytes:
    with ctx.sessions() as session:
        authenticate_call(session, ctx, call)
        return routing_models.file_data(session, version, name)

"""`central-server routing publish` and the seats' routing-model endpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from central_server.cli import main
from operator_app.paths import resources_dir
from operator_app.routing.installed import DIRECTORY
from operator_app.routing.model import RoutingModel
from tests.model_variant import download, variant_model
from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import ServerFactory


def test_a_published_model_is_served_to_seats_file_by_file(server_factory: ServerFactory, database_url: str,
                                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    assert_error(seat.api.get("/routing/model", headers=seat.headers()), 404, "no_routing_model")
    folder = tmp_path / "model"
    model_version = variant_model(folder)
    version = download(folder)[0]
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 0
    assert f"routing release {version[:16]} (model {model_version[:16]})" in capsys.readouterr().out

    resp = seat.api.get("/routing/model", headers=seat.headers())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"] == version and body["model_version"] == model_version
    assert set(body["files"]) == {p.name for p in folder.iterdir()}
    for name, sha in body["files"].items():
        got = seat.api.get(f"/routing/model/{version}/{name}", headers=seat.headers())  # requests accepts gzip
        assert got.status_code == 200 and got.headers["content-type"] == "application/octet-stream"
        assert got.headers["content-encoding"] == "gzip"
        assert got.content == (folder / name).read_bytes() and hashlib.sha256(got.content).hexdigest() == sha
        plain = seat.api.get(f"/routing/model/{version}/{name}",
                             headers={**seat.headers(), "Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == got.content
    weights = next(n for n in body["files"] if n.startswith("weights_"))
    sent = seat.api.get(f"/routing/model/{version}/{weights}", headers=seat.headers(), stream=True)
    assert len(sent.raw.read()) < 0.8 * (folder / weights).stat().st_size  # smaller on the wire

    assert_error(seat.api.get("/routing/model"), 401)  # seats only
    assert_error(seat.api.get(f"/routing/model/{version}/missing.npy", headers=seat.headers()), 404)
    assert seat.api.get(f"/routing/model/{version[:10]}/model.json", headers=seat.headers()).status_code == 422

    shipped = RoutingModel.load(resources_dir() / "routing").version
    assert main(["routing", "publish", str(resources_dir() / "routing"), "--db", database_url]) == 0
    assert seat.api.get("/routing/model", headers=seat.headers()).json()["model_version"] == shipped
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 0  # a rollback: current again
    assert "current again" in capsys.readouterr().out
    assert seat.api.get("/routing/model", headers=seat.headers()).json()["version"] == version
    assert count_rows(database_url, "routing_models") == 2


def test_a_routing_directory_can_come_with_the_model(server_factory: ServerFactory, database_url: str,
                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    folder = tmp_path / "model"
    model_version = variant_model(folder)
    shipped = (resources_dir() / "city" / DIRECTORY).read_text(encoding="utf-8")
    (folder / DIRECTORY).write_text(shipped.replace('lead = "gjj"', 'lead = "zjj"', 1), encoding="utf-8")
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 0
    assert "with its routing directory" in capsys.readouterr().out
    body = seat.api.get("/routing/model", headers=seat.headers()).json()
    assert body["model_version"] == model_version and DIRECTORY in body["files"]
    first = body["version"]
    (folder / DIRECTORY).write_text(shipped, encoding="utf-8")  # the same model, another directory: a new release
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 0
    body = seat.api.get("/routing/model", headers=seat.headers()).json()
    assert body["model_version"] == model_version and body["version"] != first
    (folder / DIRECTORY).write_text(shipped.replace('lead = "gjj"', 'lead = "nobody"', 1), encoding="utf-8")
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 1
    assert "names departments the city does not have: nobody" in capsys.readouterr().err
    (folder / DIRECTORY).write_text("[[route]]\ncategory = 1\n", encoding="utf-8")
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 1
    assert "every [[route]] needs a category" in capsys.readouterr().err
    assert count_rows(database_url, "routing_models") == 2


@pytest.mark.parametrize("damage, reason", [
    ("change a weight", "does not match its manifest hash"),
    ("drop a file", "is incomplete"),
    ("add a file", "does not list: notes.txt"),
    ("drop the manifest", "manifest.json is missing"),
    ("edit the version", "version does not match its content"),
])
def test_a_damaged_model_folder_is_refused_with_the_reason(database_url: str, tmp_path: Path, damage: str,
                                                          reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "model"
    variant_model(folder)
    weights = sorted(folder.glob("weights_*.npy"))[0]
    if damage == "change a weight":
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif damage == "drop a file":
        weights.unlink()
    elif damage == "add a file":
        (folder / "notes.txt").write_text("x", encoding="utf-8")
    elif damage == "drop the manifest":
        (folder / "manifest.json").unlink()
    else:
        text = (folder / "manifest.json").read_text(encoding="utf-8")
        version = RoutingModel.load(resources_dir() / "routing").version
        manifest = text.replace('"model_version": "', f'"model_version": "{version[:8]}', 1)
        (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    assert main(["routing", "publish", str(folder), "--db", database_url]) == 1
    assert reason in capsys.readouterr().err
    assert count_rows(database_url, "routing_models") == 0


def test_publishing_something_that_is_not_a_model_folder_says_so(database_url: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routing", "publish", str(tmp_path / "nowhere"), "--db", database_url]) == 1
    assert "is not a folder holding a routing model" in capsys.readouterr().err
    empty = tmp_path / "empty"
    shutil.copytree(resources_dir() / "city", empty)  # a folder, but of something else
    assert main(["routing", "publish", str(empty), "--db", database_url]) == 1
    assert "manifest.json is missing" in capsys.readouterr().err

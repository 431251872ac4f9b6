"""Received routing models on disk: installed only when everything checks, never half-written, old ones pruned."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from operator_app.paths import resources_dir
from operator_app.routing.assistant import RoutingAssistant
from operator_app.routing.errors import RoutingModelError
from operator_app.routing.installed import (
    CURRENT,
    DIRECTORY,
    install,
    installed_directory,
    installed_version,
    models_dir,
    release_id,
)
from tests.model_variant import download, variant_model


def test_releases_are_installed_in_turn_and_only_the_last_two_are_kept(tmp_path: Path) -> None:
    releases = []
    for i in range(3):
        variant_model(tmp_path / f"m{i}", shift=0.1 * (i + 1))
        release, files, hashes = download(tmp_path / f"m{i}")
        install(tmp_path / "data", release, files, hashes)
        assert installed_version(tmp_path / "data") == release
        releases.append(release)
    kept = sorted(p.name for p in models_dir(tmp_path / "data").iterdir() if p.is_dir())
    assert kept == sorted(releases[1:])


def test_files_that_match_the_servers_list_but_not_their_manifest_are_refused(tmp_path: Path) -> None:
    variant_model(tmp_path / "good")
    good, files, hashes = download(tmp_path / "good")
    install(tmp_path / "data", good, files, hashes)
    variant_model(tmp_path / "bad", shift=0.5)
    _, files, _ = download(tmp_path / "bad")
    files["model.json"] = files["model.json"].replace(b'"labels"', b'"labels" ', 1)  # not what the manifest hashed
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    with pytest.raises(RoutingModelError, match="does not match its manifest hash"):
        install(tmp_path / "data", release_id(hashes), files, hashes)
    assert installed_version(tmp_path / "data") == good  # the one in use stays
    assert [p.name for p in models_dir(tmp_path / "data").iterdir() if p.is_dir()] == [good]  # no staging left


def test_a_directory_that_comes_with_the_model_is_used_and_a_broken_one_refused(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    variant_model(folder)
    shipped = (resources_dir() / "city" / DIRECTORY).read_text(encoding="utf-8")
    (folder / DIRECTORY).write_text(shipped.replace('lead = "gjj"', 'lead = "zjj"', 1), encoding="utf-8")
    install(tmp_path / "data", *download(folder))
    assert installed_directory(tmp_path / "data") is not None
    assistant = RoutingAssistant.load(data_dir=tmp_path / "data")
    route = assistant.directory.lookup("城乡建设/住房公积金")
    assert route is not None and route.lead == "zjj"  # the shipped directory says gjj
    (folder / DIRECTORY).write_text("[[route]]\ncategory = 1\n", encoding="utf-8")
    with pytest.raises(RoutingModelError, match="refused"):
        install(tmp_path / "data", *download(folder))


def test_a_version_the_files_do_not_have_is_refused(tmp_path: Path) -> None:
    variant_model(tmp_path / "m")
    _, files, hashes = download(tmp_path / "m")
    with pytest.raises(RoutingModelError, match="make another release"):
        install(tmp_path / "data", "0" * 64, files, hashes)
    with pytest.raises(RoutingModelError, match="malformed version"):
        install(tmp_path / "data", "../../etc", files, hashes)
    files["../x"] = b""
    with pytest.raises(RoutingModelError, match="differ from the list"):
        install(tmp_path / "data", "0" * 64, files, hashes)
    assert installed_version(tmp_path / "data") is None


def test_a_pointer_to_a_missing_or_odd_folder_names_no_model(tmp_path: Path) -> None:
    root = models_dir(tmp_path)
    root.mkdir()
    (root / CURRENT).write_text("a" * 64 + "\n", encoding="ascii")
    assert installed_version(tmp_path) is None
    (root / CURRENT).write_text("not a version", encoding="ascii")
    assert installed_version(tmp_path) is None

"""Received routing models on disk: installed only when everything checks, never half-written, old ones pruned."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from operator_app.routing.errors import RoutingModelError
from operator_app.routing.installed import CURRENT, install, installed_version, models_dir
from tests.model_variant import variant_model


def _download(folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    return files, {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def test_models_are_installed_in_turn_and_only_the_last_two_are_kept(tmp_path: Path) -> None:
    versions = [variant_model(tmp_path / f"m{i}", shift=0.1 * (i + 1)) for i in range(3)]
    for version, i in zip(versions, range(3), strict=True):
        install(tmp_path / "data", version, *_download(tmp_path / f"m{i}"))
        assert installed_version(tmp_path / "data") == version
    kept = sorted(p.name for p in models_dir(tmp_path / "data").iterdir() if p.is_dir())
    assert kept == sorted(versions[1:])


def test_files_that_match_the_servers_list_but_not_their_manifest_are_refused(tmp_path: Path) -> None:
    good = variant_model(tmp_path / "good")
    install(tmp_path / "data", good, *_download(tmp_path / "good"))
    bad = variant_model(tmp_path / "bad", shift=0.5)
    files, _ = _download(tmp_path / "bad")
    files["model.json"] = files["model.json"].replace(b'"labels"', b'"labels" ', 1)  # not what the manifest hashed
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    with pytest.raises(RoutingModelError, match="does not match its manifest hash"):
        install(tmp_path / "data", bad, files, hashes)
    assert installed_version(tmp_path / "data") == good  # the one in use stays
    assert [p.name for p in models_dir(tmp_path / "data").iterdir() if p.is_dir()] == [good]  # no staging left


def test_a_version_the_files_do_not_have_is_refused(tmp_path: Path) -> None:
    variant_model(tmp_path / "m")
    files, hashes = _download(tmp_path / "m")
    with pytest.raises(RoutingModelError, match="its manifest names"):
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

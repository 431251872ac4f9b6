"""A second valid routing model for tests: the shipped one with one bias nudged and its manifest rewritten; and the
files of a folder as a seat downloads them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from operator_app.paths import resources_dir
from operator_app.routing.artifacts import MANIFEST, write_manifest


def variant_model(out: Path, shift: float = 0.25) -> str:
    """Write the variant into `out` (created); returns its model version."""
    shutil.copytree(resources_dir() / "routing", out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    name = sorted(n for n in manifest["files"] if n.startswith("bias_"))[0]
    bias = np.load(out / name)
    bias[0] += shift
    np.save(out / name, bias.astype(np.float32), allow_pickle=False)
    extra = {k: v for k, v in manifest.items() if k not in ("files", "model_version", "format")}
    return str(write_manifest(out, files=sorted(manifest["files"]), extra=extra)["model_version"])


def download(folder: Path) -> tuple[str, dict[str, bytes], dict[str, str]]:
    """(release, files, name -> sha256) of a release folder, as the server hands them out."""
    from operator_app.routing.installed import release_id

    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    return release_id(hashes), files, hashes

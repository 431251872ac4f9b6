"""Model directory layout, content hashing and the manifest (numpy and the standard library only).

A model directory holds `model.json` (labels, ensemble members with their temperatures, the final
temperature, feature blocks), per vocabulary a JSON list of n-grams (`vocab_<key>.json`) and its idf
(`idf_<key>.npy`), per member block float32 arrays (`weights_`, `bias_<member>_<block>.npy`), and
`manifest.json`: the sha256 of every other file, the model version (their combined hash), the
training data hash and the held-out metrics. No pickle anywhere.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RoutingModelError

MANIFEST = "manifest.json"
MODEL_CONFIG = "model.json"
FORMAT = 1


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_hash(file_hashes: dict[str, str]) -> str:
    """The model version: one sha256 over the sorted (file name, file sha256) pairs."""
    digest = hashlib.sha256()
    for name in sorted(file_hashes):
        digest.update(f"{name}\0{file_hashes[name]}\n".encode())
    return digest.hexdigest()


def save_array(directory: Path, name: str, array: np.ndarray) -> str:
    """Write one float32 array as .npy and return its file name."""
    file_name = f"{name}.npy"
    np.save(directory / file_name, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    return file_name


def save_json(directory: Path, file_name: str, data: Any) -> str:
    """Write JSON (UTF-8, compact, stable key order) and return its file name."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    (directory / file_name).write_text(text, encoding="utf-8")
    return file_name


def write_manifest(directory: Path, *, files: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    """Hash the model files and write manifest.json; returns the manifest."""
    hashes = {name: file_sha256(directory / name) for name in sorted(files)}
    manifest = {
        "format": FORMAT,
        "model_version": content_hash(hashes),
        "files": hashes,
        **extra,
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def read_verified(directory: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Read the manifest and every file it lists, refusing if any hash differs.

    Returns the manifest and the files' bytes (read once, so what is hashed is what is loaded).
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise RoutingModelError(f"No routing model in {directory}: {MANIFEST} is missing.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RoutingModelError(f"The routing model manifest in {directory} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RoutingModelError(f"The routing model in {directory} has an unknown format.")
    hashes = manifest.get("files")
    if not isinstance(hashes, dict) or MODEL_CONFIG not in hashes:
        raise RoutingModelError(f"The routing model manifest in {directory} lists no model files.")
    blobs: dict[str, bytes] = {}
    for name, expected in hashes.items():
        path = directory / name
        if Path(name).name != name or not path.is_file():
            raise RoutingModelError(f"The routing model in {directory} is incomplete: {name} is missing.")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise RoutingModelError(
                f"The routing model in {directory} was refused: {name} does not match its manifest hash "
                "(the file was changed or damaged)."
            )
        blobs[name] = data
    if content_hash(hashes) != manifest.get("model_version"):
        raise RoutingModelError(
            f"The routing model in {directory} was refused: its version does not match its content."
        )
    return manifest, blobs


def load_array(blobs: dict[str, bytes], name: str) -> np.ndarray:
    """A float32 array from verified .npy bytes (no pickle)."""
    import io

    try:
        array = np.load(io.BytesIO(blobs[name]), allow_pickle=False)
    except (KeyError, ValueError, OSError) as exc:
        raise RoutingModelError(f"The routing model array {name} cannot be read: {exc}") from exc
    if array.dtype != np.float32:
        raise RoutingModelError(f"The routing model array {name} is not float32.")
    return array


def load_json(blobs: dict[str, bytes], name: str) -> Any:
    """Parsed JSON from verified bytes."""
    try:
        return json.loads(blobs[name].decode("utf-8"))
    except (KeyError, ValueError) as exc:
        raise RoutingModelError(f"The routing model file {name} cannot be read: {exc}") from exc

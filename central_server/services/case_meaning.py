"""What a case means, as its sentence vector: read from `case_vectors` (made by the background worker after the case
arrived, services/vector_worker.py), and the one typed text a same-issue request encodes.

Stored cases are never encoded on a request: a passage costs ~0.3 s. Only the operator's typed content is, cut to
`PROBE_CHARS` (what a complaint is about is said first; ~30-60 ms on one thread). The encoder is shared with the
worker and serialises calls, so a request waits for it at most `PROBE_WAIT_S` and otherwise answers lexically.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db.models import CaseVector
from semantic import encoder_id, load_encoder, query_text, unpack

log = logging.getLogger(__name__)

PROBE_CHARS = 64
PROBE_WAIT_S = 0.25
IN_CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit

# A probe: typed content → its vector, or None (no encoder, encoder busy). The benchmark passes its own.
Probe = Callable[[str], "np.ndarray | None"]


def vectors_of(session: Session, case_ids: Iterable[str], encoder: str | None = None) -> dict[str, np.ndarray]:
    """The vectors of those cases made by the current encoder (others are stale: a new model re-embeds); cases
    without one are absent. A malformed row is skipped, never raised."""
    wanted = sorted(set(case_ids))
    encoder = encoder or encoder_id()
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = session.execute(select(CaseVector.case_id, CaseVector.dim, CaseVector.data).where(
            CaseVector.case_id.in_(wanted[start:start + IN_CHUNK]), CaseVector.encoder == encoder))
        for case_id, dim, data in rows:
            try:
                out[case_id] = unpack(bytes(data), int(dim))
            except ValueError:
                log.warning("a malformed case vector was ignored")
    return out


def probe_text(content: str) -> str:
    """The part of the typed content a request encodes (what the benchmark caches too)."""
    return query_text(content)[:PROBE_CHARS]


_pool: ThreadPoolExecutor | None = None
_pending: Future[np.ndarray] | None = None
_pool_lock = threading.Lock()


def encode_probe(content: str) -> np.ndarray | None:
    """The query vector of the typed content, or None: no encoder here (switched off, platform, CPU), nothing to
    encode, or the encoder busy with the worker's batch for longer than PROBE_WAIT_S. At most one such encoding
    is outstanding: while an abandoned one still runs, requests answer lexically at once."""
    global _pool, _pending
    text = probe_text(content)
    if not text:
        return None
    encoder = load_encoder(1)
    if encoder is None:
        return None
    with _pool_lock:
        if _pending is not None and not _pending.done():
            return None
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="same-issue-probe")
        _pending = future = _pool.submit(encoder.query, text)
    try:
        return future.result(timeout=PROBE_WAIT_S)
    except FutureTimeout:
        log.info("the encoder was busy: same-issue candidates answered by words only")
        return None
    except Exception as exc:  # the engine failing must not fail the request: the lexical answer stands
        log.error("encoding the same-issue probe failed: %s", type(exc).__name__)
        return None


def calibrated(cosine: float, floor: float, full: float) -> float:
    """A cosine between e5 vectors on the 0..1 scale of the lexical similarity: e5's cosines of hotline texts are
    compressed (unrelated complaints of one place ~0.90, the same issue ~0.95), so `floor` maps to 0, `full` to 1."""
    return float(min(1.0, max(0.0, (cosine - floor) / (full - floor))))

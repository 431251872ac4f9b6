"""The background embedder: vectors for cases as they arrive and for article versions that have none.

One daemon thread per server process (on PostgreSQL one process at a time does a round), at low OS priority, with
a model instance of its own on one thread, so no request (and no desk beside an embedded server) waits for the
encoder behind it; it never runs on a request's path, so a push shares only the CPU with it. It wakes every
`poll_seconds`, reads the change counter (one row) and looks for work only when the counter moved or the last
round found some (every new case and article version moves it); once the backlog is done, only among cases created
above the change id it reached, so a busy server's worker never scans every case each time a seat pushes. A round
reads a small batch in a short transaction, encodes outside any transaction, one text at a time (so `stop()` waits
for one text at most), then writes in short transactions: articles (most recently changed first) with a new upsert
change so seats pull them again, then cases (newest first), after which `vector_hooks.cases_embedded` runs.

Texts are never logged: only counts.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from central_server.db.models import COUNTER_ROW_ID, ChangeCounter
from central_server.services import vector_hooks, vectors
from semantic import Encoder, VectorRecord, availability

log = logging.getLogger(__name__)
NICENESS = 10  # the worker thread's OS priority: below requests (Linux sets niceness per thread)
ERROR_PAUSE = 30.0  # seconds to wait after a database error before trying again
ADVISORY_KEY = 0x12345E5  # PostgreSQL advisory lock: one process's worker embeds at a time


class VectorWorker:
    """Start with `start()` (False when the encoder cannot run here: nothing to do), stop with `stop()`."""

    def __init__(self, sessions: sessionmaker[Session], *, batch: int = 8, poll_seconds: float = 2.0,
                 start_delay: float = 0.0, load: Callable[[], Encoder | None] = vectors.worker_encoder) -> None:
        self._sessions = sessions
        self._delay = start_delay
        self._batch = max(1, batch)
        self._poll = poll_seconds
        self._load = load
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen_counter: int | None = None
        self._case_mark: int | None = None  # cases created at or below this change id all have vectors
        self.articles_done = 0
        self.cases_done = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start the thread where the encoder can run (a cheap check: the thread loads it, off the caller's path,
        e.g. the desk's start when the server is the seat's embedded one)."""
        state = availability()
        if not state.available:
            log.info("vector worker not started: %s", state.reason)
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="vector-worker", daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it (it finishes the text it is encoding, ~0.1-0.5 s)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("vector worker still encoding after %.1f s; left to finish as a daemon", timeout)
            self._thread = None

    def _run(self) -> None:
        _lower_priority()
        if self._stop.wait(self._delay):  # let the process finish starting (the seat's desk, when embedded)
            return
        encoder = self._load()
        if encoder is None:
            log.warning("vector worker stopped: the sentence encoder did not load")
            return
        log.info("vector worker started (encoder %s)", encoder.id)
        while not self._stop.is_set():
            try:
                with self._turn() as mine:
                    worked = self.round(encoder) if mine else False
            except IntegrityError:
                # another server process stored the same vector first: look again
                log.info("vector worker: a vector was stored by another process meanwhile")
                self._seen_counter = self._case_mark = None
                self._stop.wait(self._poll)
                continue
            except SQLAlchemyError as exc:
                log.warning("vector worker: database error (%s); trying again in %.0f s", type(exc).__name__,
                            ERROR_PAUSE)
                self._seen_counter = self._case_mark = None
                self._stop.wait(ERROR_PAUSE)
                continue
            except Exception as exc:  # a bug must not kill the thread silently nor spin: log and pause
                # the frames and the error's class only: an error's message might quote a text
                log.error("vector worker: unexpected %s; trying again in %.0f s\n%s", type(exc).__name__,
                          ERROR_PAUSE, "".join(traceback.format_tb(exc.__traceback__)))
                self._seen_counter = self._case_mark = None
                self._stop.wait(ERROR_PAUSE)
                continue
            if not worked:
                self._stop.wait(self._poll)

    @contextmanager
    def _turn(self) -> Iterator[bool]:
        """Whether this process embeds this round. On PostgreSQL the processes of `serve --workers N` share the
        database: one round at a time runs, under a session advisory lock held (idle, outside any transaction) on
        a connection of its own for the round, so N processes never encode the same texts. SQLite: always."""
        bind = self._sessions.kw.get("bind")
        if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
            yield True
            return
        with bind.connect() as conn:
            mine = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}))
            conn.commit()
            try:
                yield mine
            finally:
                if mine:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                        conn.commit()
                    except SQLAlchemyError:
                        conn.invalidate()  # never back to the pool still holding the lock
                        raise

    def round(self, encoder: Encoder) -> bool:
        """One batch of articles then one of cases; True when something was embedded (look again at once)."""
        with self._sessions() as session:
            counter = session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == COUNTER_ROW_ID))
            if counter is not None and counter == self._seen_counter:
                return False
            articles = vectors.articles_without_vector(session, encoder.id, self._batch)
            cases = vectors.cases_without_vector(session, encoder.id, self._batch, after_change=self._case_mark)
            session.rollback()
        worked = False
        if articles:
            records = vectors.encode_each(encoder, [a.text for a in articles], stop=self._stop.is_set)
            with self._sessions() as session:
                stored = vectors.save_article_vectors(session, list(zip(articles, records, strict=False)))
            self.articles_done += len(stored)
            worked = worked or bool(records)
            log.info("vector worker: %d article vectors stored", len(stored))
        if cases and not self._stop.is_set():
            records = vectors.encode_each(encoder, [c.text for c in cases], stop=self._stop.is_set)
            done = list(zip(cases, records, strict=False))
            if done:
                self._save_cases(done)
            worked = worked or bool(records)
        if len(cases) < self._batch and not self._stop.is_set():
            # Every case whose created event is at or below `counter` (committed before it was read: the counter
            # moves in the same transaction) has a vector now: later rounds look only above it.
            self._case_mark = counter
        if not worked:
            # Nothing was pending when the counter read `counter`: look again only when it moves.
            self._seen_counter = counter
        return worked

    def _save_cases(self, done: Sequence[tuple[vectors.PendingCase, VectorRecord]]) -> None:
        with self._sessions() as session:
            ids = vectors.save_case_vectors(session, done)
            vector_hooks.cases_embedded(session, ids)
            session.commit()
        self.cases_done += len(ids)
        log.info("vector worker: %d case vectors stored", len(ids))


def _lower_priority() -> None:
    """Lower this thread's OS priority (on Linux niceness is per thread; elsewhere this is the process's)."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), NICENESS))
    except OSError:
        pass

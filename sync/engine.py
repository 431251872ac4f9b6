"""One sync pass: push the outbox in batches, then pull until caught up. Blocking: run off the GUI thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select, update

from operator_app.errors import StoreError, SyncError, SyncErrorKind
from operator_app.store import schema
from operator_app.store.database import Store
from sync.http_client import SeatAuth, ServerClient, Tokens
from sync.outbox import pending_batch, record_failure, record_push
from sync.protocol import MAX_BATCH, PROTOCOL_VERSION, PushRequest
from sync.pull_apply import apply_pulled, has_kb_changes, kb_path_for
from sync.secrets import SecretStore, refresh_token_key, seat_credential_key

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SyncReport:
    acked: int = 0
    rejected: int = 0
    pulled: int = 0
    case_ids: set[str] = field(default_factory=set)
    kb_article_ids: set[str] = field(default_factory=set)  # knowledge-base articles added, changed or retired


class SyncEngine:
    """The seat's connection to the central server for whoever is logged in; one pass at a time."""

    def __init__(self, store: Store, client: ServerClient, secrets: SecretStore, *,
                 batch_size: int = MAX_BATCH, kb_path: Path | None = None) -> None:
        """kb_path: the knowledge base pulled articles go to (default `<store dir>/kb.sqlite`). Its writer
        connection is opened by the pass that needs it, on that pass's thread, and closed when the pass ends."""
        self.store, self.client, self.secrets = store, client, secrets
        self.batch_size = batch_size
        self.kb_path = kb_path if kb_path is not None else kb_path_for(store)
        self.operator_id: str | None = None
        self._access: str | None = None
        self._deferred_login: tuple[str, str] | None = None
        self._lock = threading.Lock()

    # -- identity ------------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> Tokens:
        """Log the operator in and make sure this seat is registered; secrets go to the SecretStore only."""
        tokens = self.client.login(username, password)
        seat = self.store.seat
        if self.secrets.get(seat_credential_key(seat.seat_id)) is None:
            credential = self.client.register_seat(tokens.access_token, seat_id=seat.seat_id,
                                                   seat_code=seat.seat_code)
            self.secrets.set(seat_credential_key(seat.seat_id), credential)
        self.operator_id = str(tokens.user.get("username", username))
        self._access = tokens.access_token
        self.secrets.set(refresh_token_key(seat.seat_id, self.operator_id), tokens.refresh_token)
        return tokens

    def defer_login(self, username: str, password: str) -> None:
        """The server was unreachable at login: keep the password in memory only and log in at the next pass."""
        self._deferred_login = (username, password)

    def logout(self) -> None:
        """Forget the operator's tokens; the outbox stays and syncs at the next login."""
        if self.operator_id is not None:
            self.secrets.delete(refresh_token_key(self.store.seat.seat_id, self.operator_id))
        self.operator_id, self._access, self._deferred_login = None, None, None

    @property
    def logged_in(self) -> bool:
        return self._access is not None or self._deferred_login is not None

    def _seat_auth(self) -> SeatAuth:
        credential = self.secrets.get(seat_credential_key(self.store.seat.seat_id))
        if credential is None:
            raise SyncError(SyncErrorKind.AUTH, "this seat is not registered with the central server")
        return SeatAuth(self.store.seat.seat_id, credential)

    def _authed(self, call: Callable[[str], T]) -> T:
        if self._access is None or self.operator_id is None:
            raise SyncError(SyncErrorKind.AUTH, "nobody is logged in to the central server")
        try:
            return call(self._access)
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.AUTH:
                raise
            if exc.code == "seat_auth":  # the seat's credential was rotated elsewhere: register again at login
                self.secrets.delete(seat_credential_key(self.store.seat.seat_id))
                self._access = None
                raise
        refresh = self.secrets.get(refresh_token_key(self.store.seat.seat_id, self.operator_id))
        if refresh is None:
            self._access = None
            raise SyncError(SyncErrorKind.AUTH, "login expired: please log in again")
        try:
            tokens = self.client.refresh(refresh)
        except SyncError as exc:
            if exc.kind is SyncErrorKind.AUTH:
                self._access = None
            raise
        self._access = tokens.access_token
        self.secrets.set(refresh_token_key(self.store.seat.seat_id, self.operator_id), tokens.refresh_token)
        return call(self._access)

    # -- one pass ------------------------------------------------------------------------------------------
    def run_once(self) -> SyncReport:
        """Push everything pending, then pull; raises SyncError (nothing is lost) when it cannot finish."""
        with self._lock:
            if self._access is None and self._deferred_login is not None:
                username, password = self._deferred_login
                try:
                    self.login(username, password)
                except SyncError as exc:
                    if exc.kind is not SyncErrorKind.NETWORK:
                        self._deferred_login = None  # a wrong password is not retried forever
                    raise
                self._deferred_login = None
            report = SyncReport()
            self._push_all(report)
            self._pull_all(report)
            return report

    def _push_all(self, report: SyncReport) -> None:
        seat = self._seat_auth()
        limit = self.batch_size
        while batch := pending_batch(self.store, limit=limit):
            request = PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=seat.seat_id, mutations=batch)
            try:
                response = self._authed(partial(self.client.push, seat=seat, request=request))
            except SyncError as exc:
                if exc.code == "body_too_large" and limit > 1:
                    limit = max(1, limit // 2)  # long cases: send fewer at a time rather than stall the queue
                    continue
                if exc.kind is SyncErrorKind.NETWORK:
                    record_failure(self.store, batch, str(exc))
                raise
            outcome = record_push(self.store, batch, response)
            report.acked += outcome.acked
            report.rejected += outcome.rejected
            report.case_ids.update(m.entity_id for m in batch)
            if outcome.acked + outcome.rejected == 0:
                raise SyncError(SyncErrorKind.REJECTED, "the central server did not accept the next change "
                                                        f"(it has up to {response.last_applied_seq})")

    def _pull_all(self, report: SyncReport) -> None:
        opened: list[KnowledgeBase] = []  # the knowledge base, once a page carries article changes
        try:
            self._pull_pages(report, opened)
            for kb in opened:
                kb.maybe_compact()
        finally:
            for kb in opened:
                kb.close()

    def _open_kb(self) -> KnowledgeBase:
        from knowledge_base import KnowledgeBase, KnowledgeBaseError

        try:
            return KnowledgeBase.open(self.kb_path)
        except (KnowledgeBaseError, sqlite3.Error, OSError) as exc:
            raise StoreError(f"知识库文件 {self.kb_path} 无法打开：{exc}") from exc

    def _pull_pages(self, report: SyncReport, opened: list[KnowledgeBase]) -> None:
        seat = self._seat_auth()
        state = schema.sync_state.c
        while True:
            with self.store.read() as conn:
                cursor = int(conn.execute(select(state.pull_cursor)).scalar_one())
            page = self._authed(partial(self.client.pull, seat=seat, cursor=cursor))
            if page.reset_required:
                log.warning("server asked for a pull reset from cursor %s", cursor)
                with self.store.write() as conn:
                    conn.execute(update(schema.sync_state).values(pull_cursor=0))
                if cursor == 0:
                    return
                continue
            if not opened and has_kb_changes(page.changes):
                opened.append(self._open_kb())
            outcome = apply_pulled(self.store, page.changes, page.cursor, kb=opened[0] if opened else None)
            report.pulled += outcome.applied
            report.case_ids.update(outcome.case_ids)
            report.kb_article_ids.update(outcome.kb_article_ids)
            if not page.has_more:
                return

"""One sync pass: push the outbox in batches, then pull until caught up. Blocking: run off the GUI thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from secrets import token_urlsafe
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select, update

from contract.protocol import MAX_BATCH, PROTOCOL_VERSION, Mutation, PullResponse, PushRequest
from operator_app.errors import StoreError, SyncError, SyncErrorKind
from operator_app.store import schema
from operator_app.store.database import Store
from sync.http_client import SeatAuth, ServerClient, Tokens, encode_push
from sync.outbox import (
    PushOutcome,
    highest_seq_made,
    pending_batch,
    pending_by_operator,
    push_outcome,
    realign_pending,
    record_failure,
    record_push,
    renumber_above,
)
from sync.pull_apply import apply_pulled, has_kb_changes, kb_path_for
from sync.routing_update import CHECK_EVERY_S, update_routing_model
from sync.secrets import (
    SecretStore,
    make_verifier,
    refresh_token_key,
    seat_asked_credential_key,
    seat_credential_key,
    verifier_key,
    verifier_matches,
)

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)
T = TypeVar("T")
SEAT_TAKEN_MESSAGE = ("座席 {code} 已在中心服务器登记，但本机没有它的凭据（可能被复制或重装过），不能再次登记。"
                      "请管理员重置本座席（central-server seat reset --code {code}）后再登录。")
MAX_REALIGNS = 8  # per pass: a server that keeps answering conflicts or waiting at a gap fails the pass
BACKLOG_RESEND_S = 60.0  # an unchanged backlog is reported again after this long (the lead sees it is current)


@dataclass(frozen=True)
class _PreparedBatch:
    mutations: list[Mutation]
    body: bytes  # the PushRequest as sent

    @property
    def last_seq(self) -> int:
        return self.mutations[-1].seq


def _prepare(store: Store, seat_id: str, limit: int, *, after_seq: int) -> _PreparedBatch | None:
    """The next pending batch after `after_seq`, serialised; None when nothing is pending."""
    batch = pending_batch(store, limit=limit, after_seq=after_seq)
    if not batch:
        return None
    return _PreparedBatch(batch, encode_push(PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=seat_id,
                                                       mutations=batch)))


def _finish(recording: Future[PushOutcome] | None) -> None:
    """Wait for a batch's answer to be written to the outbox (re-raises its StoreError); waiting again on a
    finished one returns at once."""
    if recording is not None:
        recording.result()


@dataclass
class SyncReport:
    acked: int = 0
    rejected: int = 0
    conflicts: int = 0  # changes whose seq held another change on the server: sent again under a new seq
    pulled: int = 0
    quarantined: int = 0  # pulled changes this seat could not apply: kept aside for a person
    case_ids: set[str] = field(default_factory=set)
    kb_article_ids: set[str] = field(default_factory=set)  # knowledge-base articles added, changed or retired
    routing_model: str | None = None  # the routing release this pass installed (model, maybe directory)


class SyncEngine:
    """The seat's connection to the central server for whoever is logged in; one pass at a time."""

    def __init__(self, store: Store, client: ServerClient, secrets: SecretStore, *,
                 batch_size: int = MAX_BATCH, kb_path: Path | None = None) -> None:
        """kb_path: the knowledge base pulled articles go to (default `<store dir>/kb.sqlite`). Its writer
        connection is opened by the pass that needs it, on that pass's thread, and closed when the pass ends."""
        self.store, self.client, self.secrets = store, client, secrets
        self.batch_size = batch_size
        self.kb_path = kb_path if kb_path is not None else kb_path_for(store)
        self.data_dir = self.store.path.parent
        self.routing_checked_at: float | None = None  # time.monotonic() of the last routing-model check
        # The last backlog report the server took, and when (time.monotonic()).
        self._backlog_sent: tuple[list[dict[str, object]], float] | None = None
        self.operator_id: str | None = None
        self._access: str | None = None
        self._deferred_login: tuple[str, str] | None = None
        # Offline logins with no verifier to check them: operator → password, in memory only, until the server
        # has seen that operator sign in here — also after they logged out, so a shift's changes still sync.
        self._unproven: dict[str, str] = {}
        self._verifier_job: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- identity ------------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> Tokens:
        """Log the operator in, sign them in at this seat (registering it first if it has no credential yet) and
        cache their offline verifier; secrets go to the SecretStore only."""
        tokens = self._login_at_seat(username, password)
        operator_id = str(tokens.user.get("username", username))
        seat_id = self.store.seat.seat_id
        self.operator_id = operator_id
        self._access = tokens.access_token
        self.secrets.set(refresh_token_key(seat_id, operator_id), tokens.refresh_token)
        self._cache_verifier(operator_id, password)
        self._unproven.pop(username, None)
        self._unproven.pop(operator_id, None)
        return tokens

    def _cache_verifier(self, operator_id: str, password: str) -> None:
        """The offline verifier (~0.1 s of argon2) is made on a thread of its own: the login does not wait for it;
        a later offline login or logout does."""
        self._await_verifier()
        seat_id = self.store.seat.seat_id

        def make() -> None:
            self.secrets.set(verifier_key(seat_id, operator_id), make_verifier(seat_id, operator_id, password))

        self._verifier_job = threading.Thread(target=make, name="seat-verifier", daemon=True)
        self._verifier_job.start()

    def _await_verifier(self) -> None:
        job, self._verifier_job = self._verifier_job, None
        if job is not None:
            job.join()

    def _login_at_seat(self, username: str, password: str) -> Tokens:
        """Log in with the seat's credential along, so the server records this operator at this seat; a seat with
        no valid credential registers (which signs the operator in too)."""
        seat = self.store.seat
        key = seat_credential_key(seat.seat_id)
        credential = self.secrets.get(key)
        tokens = self.client.login(username, password,
                                   seat=SeatAuth(seat.seat_id, credential) if credential is not None else None)
        if tokens.seat_signed_in:
            return tokens
        if credential is not None:
            # Reset or rotated by an administrator: this credential is dead. Registering again works only after a
            # reset (or for an administrator); otherwise the operator is told to ask for one.
            self.secrets.delete(key)
        self._register(tokens.access_token)
        return tokens

    def _register(self, access: str) -> None:
        """Register with a credential this seat chose and kept first: if the answer is lost (a dropped
        connection, the process killed while it waited), asking again with it is answered the same, where a
        credential only the server knew would leave the seat locked out until an administrator reset it."""
        seat = self.store.seat
        asked_key = seat_asked_credential_key(seat.seat_id)
        asked = self.secrets.get(asked_key)
        chosen = asked if asked is not None else token_urlsafe(32)
        if asked is None:
            self.secrets.set(asked_key, chosen)
        try:
            credential = self.client.register_seat(access, seat_id=seat.seat_id, seat_code=seat.seat_code,
                                                   credential=chosen, asked_before=asked is not None)
        except SyncError as exc:
            if exc.code == "seat_taken":
                raise SyncError(SyncErrorKind.REJECTED, SEAT_TAKEN_MESSAGE.format(code=seat.seat_code),
                                code="seat_taken") from exc
            raise
        self.secrets.set(seat_credential_key(seat.seat_id), credential)
        self.secrets.delete(asked_key)

    def defer_login(self, username: str, password: str) -> bool:
        """The server was unreachable at login: log in at the next pass, keeping the password in memory only.

        With a verifier cached at this operator's last online sign-in here, the password is checked now (a wrong
        one raises SyncError AUTH) and True is returned; without one the login is unverified (False) until the
        next pass proves it, and changes made meanwhile are accepted by the server only for an operator who has
        signed in at this seat."""
        self._await_verifier()
        seat_id = self.store.seat.seat_id
        verifier = self.secrets.get(verifier_key(seat_id, username))
        if verifier is not None and not verifier_matches(verifier, seat_id, username, password):
            raise SyncError(SyncErrorKind.AUTH, "工号或密码错误", code="invalid_credentials")
        self._deferred_login = (username, password)
        if verifier is None:
            self._unproven[username] = password
        return verifier is not None

    def logout(self) -> None:
        """Revoke the operator's refresh token on the server (when reachable) and forget the tokens; the outbox
        stays and syncs at the next login. An offline login not yet proven is still proven at the next pass."""
        self._await_verifier()
        if self.operator_id is not None:
            key = refresh_token_key(self.store.seat.seat_id, self.operator_id)
            refresh = self.secrets.get(key)
            self.secrets.delete(key)
            if refresh is not None:
                try:
                    self.client.logout(refresh)
                except SyncError as exc:  # offline: the token expires by itself, and this seat no longer has it
                    log.info("logout not confirmed by the central server (%s)", exc.kind.name)
        self.operator_id, self._access, self._deferred_login = None, None, None

    @property
    def logged_in(self) -> bool:
        return self._access is not None or self._deferred_login is not None

    def _seat_auth(self) -> SeatAuth:
        credential = self.secrets.get(seat_credential_key(self.store.seat.seat_id))
        if credential is None:
            raise SyncError(SyncErrorKind.AUTH, "本座席尚未在中心服务器登记：请登录", code="seat_auth")
        return SeatAuth(self.store.seat.seat_id, credential)

    def api(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None) -> Any:
        """An API call as the signed-in person (refreshing an expired token once); blocks: a worker thread."""
        return self._authed(lambda token: self.client.call_json(method, path, token=token, json_body=json_body,
                                                                params=params))

    def _authed(self, call: Callable[[str], T]) -> T:
        if self._access is None or self.operator_id is None:
            raise SyncError(SyncErrorKind.AUTH, "尚未登录中心服务器：请登录")
        try:
            return call(self._access)
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.AUTH:
                raise
            if exc.code == "seat_auth":  # reset or rotated by an administrator: the next login signs in anew
                self.secrets.delete(seat_credential_key(self.store.seat.seat_id))
                self._access = None
                raise SyncError(SyncErrorKind.AUTH, "本座席的凭据已失效（可能已被管理员重置）：请重新登录",
                                code="seat_auth") from exc
        refresh = self.secrets.get(refresh_token_key(self.store.seat.seat_id, self.operator_id))
        if refresh is None:
            self._access = None
            raise SyncError(SyncErrorKind.AUTH, "登录已过期：请重新登录")
        try:
            tokens = self.client.refresh(refresh)
        except SyncError as exc:
            if exc.kind is not SyncErrorKind.AUTH:
                raise
            self._access = None
            raise SyncError(SyncErrorKind.AUTH, "登录已过期：请重新登录", code=exc.code) from exc
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
                        self._unproven.pop(username, None)
                    raise
                self._deferred_login = None
            self._prove_sign_ins()
            report = SyncReport()
            self._push_all(report)
            self._pull_all(report)
            self._check_routing_model(report)
            self._report_backlog()
            return report

    def _prove_sign_ins(self) -> None:
        """Offline logins of operators who logged out before the server came back: each logs in once more so the
        server records them at this seat (that login's refresh token is revoked at once). A refused password is
        dropped: that operator's changes are then refused by the server, as they must be."""
        for username, password in list(self._unproven.items()):
            try:
                tokens = self._login_at_seat(username, password)
            except SyncError as exc:
                if exc.kind is SyncErrorKind.NETWORK or exc.code == "seat_taken":
                    raise
                del self._unproven[username]
                log.warning("an offline login at this seat was refused by the central server (%s): changes made "
                            "under it will be refused too", exc.code or exc.kind.name)
                continue
            seat_id, operator_id = self.store.seat.seat_id, str(tokens.user.get("username", username))
            self.secrets.set(verifier_key(seat_id, operator_id), make_verifier(seat_id, operator_id, password))
            del self._unproven[username]
            try:
                self.client.logout(tokens.refresh_token)
            except SyncError as exc:
                log.info("the proving login's refresh token was not revoked (%s); it expires by itself",
                         exc.kind.name)

    def _check_routing_model(self, report: SyncReport) -> None:
        """Every CHECK_EVERY_S: install the server's current routing release if it is new to this seat. A network
        failure is asked again at the next pass and fails nothing that this pass already did."""
        now = time.monotonic()
        if self.routing_checked_at is not None and now - self.routing_checked_at < CHECK_EVERY_S:
            return
        try:
            report.routing_model = update_routing_model(self.client, self._seat_auth(), self.data_dir, self._authed)
        except SyncError as exc:
            log.warning("routing model check failed, asking again at the next pass: %s", exc)
            return
        self.routing_checked_at = now

    def _report_backlog(self) -> None:
        """Tell the server what this seat has not pushed yet, per operator (the team lead's queue shows it). Sent
        at the end of a pass when it changed, or BACKLOG_RESEND_S after the last report; a failure is logged and
        fails nothing the pass did."""
        try:
            operators = pending_by_operator(self.store)
            last = self._backlog_sent
            if last is not None and last[0] == operators and time.monotonic() - last[1] < BACKLOG_RESEND_S:
                return
            seat = self._seat_auth()
            self._authed(partial(self.client.report_backlog, seat=seat, operators=operators))
            self._backlog_sent = (operators, time.monotonic())
        except (SyncError, StoreError) as exc:
            log.warning("backlog report not sent (%s); sent again at the next pass",
                        exc.code or exc.kind.name if isinstance(exc, SyncError) else type(exc).__name__)

    def _push_all(self, report: SyncReport) -> None:
        seat = self._seat_auth()
        limit = self.batch_size
        # While one batch is on the wire and on the server, a helper thread records the previous answer and
        # reads and serialises the next batch. A crash before an answer is recorded only means those rows are
        # sent again and answered `duplicate`.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-push") as helper:
            recording: Future[PushOutcome] | None = None
            realigns = 0  # renumberings after an answer that moved nothing (conflicts, a gap), this pass
            made = self._highest_made()
            current = _prepare(self.store, seat.seat_id, limit, after_seq=0)
            try:
                while current is not None:
                    upcoming = helper.submit(_prepare, self.store, seat.seat_id, limit, after_seq=current.last_seq)
                    try:
                        response = self._authed(partial(self.client.push_body, seat=seat, body=current.body))
                    except SyncError as exc:
                        upcoming.cancel()
                        _finish(recording)
                        if exc.code == "body_too_large" and limit > 1:
                            limit = max(1, limit // 2)  # long cases: send fewer at a time rather than stall
                            current = _prepare(self.store, seat.seat_id, limit, after_seq=0)
                            continue
                        if exc.kind is SyncErrorKind.NETWORK:
                            record_failure(self.store, current.mutations, str(exc))
                        raise
                    _finish(recording)
                    if response.last_applied_seq > made and response.last_applied_seq > (made := self._highest_made()):
                        # The server holds seqs this store never made, so its answers for them describe other
                        # changes: record nothing, move the queue above the server's mark and start over.
                        upcoming.cancel()
                        self._store_behind(response.last_applied_seq, made)
                        made = self._highest_made()
                        current = _prepare(self.store, seat.seat_id, limit, after_seq=0)
                        continue
                    outcome = push_outcome(current.mutations, response)
                    report.acked += outcome.acked
                    report.rejected += outcome.rejected
                    report.conflicts += outcome.conflicts
                    report.case_ids.update(m.entity_id for m in current.mutations)
                    recording = helper.submit(record_push, self.store, current.mutations, response)
                    if outcome.acked + outcome.rejected == 0:
                        # Conflicts were moved above the server's mark by record_push; a gap is closed here.
                        # Either way the queue is sent again from the outbox, a bounded number of times.
                        upcoming.cancel()
                        _finish(recording)
                        realigns += 1
                        if realigns > MAX_REALIGNS or not (outcome.conflicts or self._close_gap(
                                current.mutations[0].seq, response.last_applied_seq)):
                            raise SyncError(SyncErrorKind.REJECTED, "the central server did not accept the next "
                                            f"change (it has up to {response.last_applied_seq})")
                        current = _prepare(self.store, seat.seat_id, limit, after_seq=0)
                        continue
                    prepared = upcoming.result()
                    if outcome.unanswered or outcome.conflicts:
                        # The server stopped inside this batch, or the queue was renumbered above its mark:
                        # start over from the outbox.
                        _finish(recording)
                        prepared = _prepare(self.store, seat.seat_id, limit, after_seq=0)
                    current = prepared
            finally:
                _finish(recording)

    def _highest_made(self) -> int:
        with self.store.read() as conn:
            return highest_seq_made(conn)

    def _close_gap(self, first_sent: int, high_water: int) -> bool:
        """The server waits for seq high_water + 1 but the queue starts later: the seqs between were taken by rows
        that are not pending (the server's mark went back, or an older version of this seat left a rejected row
        in the sequence). The server has seen nothing above its mark, so the queue moves down to follow it."""
        if first_sent <= high_water + 1:
            return False
        with self.store.write() as conn:
            moved = realign_pending(conn, high_water + 1)
        log.warning("the server waits for seq %d but the queue started at %d: %d queued changes renumbered to "
                    "follow its mark", high_water + 1, first_sent, moved)
        return True

    def _store_behind(self, high_water: int, made: int) -> None:
        """The server holds mutations made..high_water of this seat that its store never made."""
        moved = renumber_above(self.store, high_water)
        log.warning("the server holds mutations %d..%d of this seat that its store never made (restored from a "
                    "backup?): %d queued changes renumbered above them; the seat's own cases are pulled back",
                    made + 1, high_water, moved)

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
        skip_own = True  # the created events this seat made: an intact store holds them all

        def fetch(cursor: int) -> PullResponse:
            return self._authed(partial(self.client.pull, seat=seat, cursor=cursor, skip_own=skip_own))

        # While one page is applied, the next travels (on a helper thread); it is used only after this one's
        # cursor is saved, and dropped if applying fails.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as helper:
            upcoming: Future[PullResponse] | None = None
            while True:
                if upcoming is not None:
                    page, upcoming = upcoming.result(), None
                else:
                    with self.store.read() as conn:
                        cursor, pull_own = conn.execute(select(state.pull_cursor, state.pull_own)).one()
                        made = highest_seq_made(conn)
                    skip_own = skip_own and not pull_own
                    page = fetch(cursor)
                    if skip_own and (page.seat_high_water or 0) > made:
                        self._store_behind(page.seat_high_water or 0, made)
                        skip_own = False
                        page = fetch(cursor)
                    if page.reset_required:
                        log.warning("server asked for a pull reset from cursor %s", cursor)
                        with self.store.write() as conn:
                            conn.execute(update(schema.sync_state).values(pull_cursor=0))
                        if cursor == 0:
                            return
                        continue
                if page.has_more:
                    upcoming = helper.submit(fetch, page.cursor)
                if not opened and has_kb_changes(page.changes):
                    opened.append(self._open_kb())
                outcome = apply_pulled(self.store, page.changes, page.cursor, kb=opened[0] if opened else None)
                report.pulled += outcome.applied
                report.quarantined += outcome.quarantined
                report.case_ids.update(outcome.case_ids)
                report.kb_article_ids.update(outcome.kb_article_ids)
                if not page.has_more:
                    if not skip_own:  # caught up with the seat's own cases too
                        with self.store.write() as conn:
                            conn.execute(update(schema.sync_state).values(pull_own=False))
                    return

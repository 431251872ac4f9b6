"""Seat ↔ real central server over loopback HTTP: exactly once, in order, whatever happens on the way."""

from __future__ import annotations

import json
import shutil
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select

from central_server.embedded import EmbeddedServer
from contract.city.model import City
from contract.protocol import PROTOCOL_VERSION, PushRequest
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import get_case, outbox_summary
from operator_app.services.intake import submit_case
from operator_app.services.kb_feedback import record_feedback
from operator_app.store import schema
from operator_app.store.backup import take_backup
from operator_app.store.database import utc_now
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.outbox import pending_batch, rejected_changes
from sync.secrets import (
    SECRETS_FILE,
    SecretFile,
    SecretStore,
    refresh_token_key,
    seat_credential_key,
    verifier_key,
)
from tests.core.helpers import direct_form, dispatch_form
from tests.integration.conftest import act, engine_for, server_cases, start_server, token


def queue(seat: Seat, city: City, n: int, operator: str = "1001", start: int = 0) -> list[str]:
    return [submit_case(seat.store, city, form=direct_form(city, content=f"第{start + i}件咨询"),
                        operator_id=operator).number for i in range(n)]


def local_numbers(seat: Seat) -> list[str]:
    with seat.store.read() as conn:
        return sorted(conn.execute(select(schema.cases.c.number)).scalars())


def restore_from(seat: Seat, backup: Path) -> Seat:
    """The store file is lost and a backup comes back in its place."""
    seat.close()
    for leftover in seat.store.path.parent.glob(seat.store.path.name + "-*"):  # -wal, -shm
        leftover.unlink()
    shutil.copyfile(backup, seat.store.path)
    return open_seat(seat.data_dir)


def numbers_on_server(url: str, operator: str) -> list[str]:
    return sorted(c["number"] for c in server_cases(url, operator))


def test_happy_path_then_department_actions_flow_back(seat: Seat, city: City, server: EmbeddedServer) -> None:
    numbers = queue(seat, city, 3)
    dispatched = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    report = engine.run_once()
    assert report.acked == 4 and report.rejected == 0
    assert numbers_on_server(server.url, "1001") == sorted([*numbers, dispatched.number])
    assert outbox_summary(seat.store).pending == 0
    assert get_case(seat.store, dispatched.case_id).synced  # type: ignore[union-attr]

    lead = dispatch_form(city).lead_department
    dept = city.department_by_name(lead)
    assert dept is not None
    act(server.url, dispatched.number, "sign", department_id=dept.id)
    act(server.url, dispatched.number, "extend", department_id=dept.id, reason="需现场勘查",
        new_finish_by="2030-01-01T12:00:00+08:00")
    report = engine.run_once()
    assert report.pulled == 2 and dispatched.case_id in report.case_ids
    detail = get_case(seat.store, dispatched.case_id)
    assert detail is not None and detail.state.status == "signed"  # an extension keeps it signed
    assert [e.kind for e in detail.events] == ["created", "signed", "extended"]
    assert detail.state.finish_by.startswith("2030-01-01")
    assert engine.run_once().pulled == 0  # the cursor was saved with the changes


def test_duplicate_push_is_answered_with_the_stored_outcome(seat: Seat, city: City,
                                                            server: EmbeddedServer) -> None:
    queue(seat, city, 2)
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    batch = pending_batch(seat.store)
    auth = engine._seat_auth()
    request = PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=auth.seat_id, mutations=batch)
    first = engine._authed(lambda t: engine.client.push(t, auth, request))
    again = engine._authed(lambda t: engine.client.push(t, auth, request))
    assert [r.status for r in first.results] == ["applied", "applied"]
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert len(server_cases(server.url, "1001")) == 2


def test_gap_stops_the_batch_and_the_seat_recovers(seat: Seat, city: City, server: EmbeddedServer) -> None:
    queue(seat, city, 3)
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    batch = pending_batch(seat.store)
    auth = engine._seat_auth()
    gap = PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=auth.seat_id, mutations=batch[1:])
    answer = engine._authed(lambda t: engine.client.push(t, auth, gap))
    assert answer.last_applied_seq == 0 and all(r.status != "applied" for r in answer.results)
    assert server_cases(server.url, "1001") == []
    assert engine.run_once().acked == 3
    assert len(server_cases(server.url, "1001")) == 3


def test_rejected_mutation_does_not_block_the_queue(seat: Seat, city: City, server: EmbeddedServer) -> None:
    queue(seat, city, 1)
    with seat.store.write() as conn:  # a mutation the server must refuse: its args are not a case
        conn.execute(insert(schema.outbox).values(
            mutation_id="00000000-0000-4000-8000-000000000001", name="case.created",
            args_json=json.dumps({"case_id": "x"}), operator_id="1001", entity_id="x", created_at=utc_now(),
            state="pending", attempts=0, last_error=""))
    queue(seat, city, 2, start=1)
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    report = engine.run_once()
    assert (report.acked, report.rejected) == (3, 1)
    rejected = rejected_changes(seat.store)
    assert len(rejected) == 1 and rejected[0].seq == 2 and rejected[0].reason
    assert len(server_cases(server.url, "1001")) == 3


def test_expired_tokens_refresh_or_relogin_with_nothing_lost(seat: Seat, city: City, tmp_path: Path) -> None:
    srv = start_server(f"sqlite:///{tmp_path / 'c.sqlite'}", access_token_minutes=2 / 60,
                       refresh_token_hours=10 / 3600)
    try:
        engine = engine_for(seat, srv.url)
        engine.login("1001", DEMO_PASSWORD)
        queue(seat, city, 2)
        time.sleep(3)  # access token expired, refresh token still valid (JWT times are whole seconds)
        assert engine.run_once().acked == 2
        queue(seat, city, 2, start=2)
        time.sleep(11)  # both expired (the refresh above rotated the refresh token: 10 s from then)
        with pytest.raises(SyncError) as info:
            engine.run_once()
        assert info.value.kind is SyncErrorKind.AUTH
        assert outbox_summary(seat.store).pending == 2  # nothing dropped
        engine.login("1001", DEMO_PASSWORD)
        assert engine.run_once().acked == 2
        assert len(server_cases(srv.url, "1001")) == 4
    finally:
        srv.stop()


def test_unknown_protocol_version_is_refused_plainly(seat: Seat, server: EmbeddedServer) -> None:
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    auth = engine._seat_auth()
    request = PushRequest(protocol_version=PROTOCOL_VERSION + 1, seat_id=auth.seat_id, mutations=[])
    with pytest.raises(SyncError) as info:
        engine._authed(lambda t: engine.client.push(t, auth, request))
    assert info.value.kind is SyncErrorKind.REJECTED and str(PROTOCOL_VERSION) in str(info.value)


def test_shift_handover_while_server_unreachable(seat: Seat, city: City, tmp_path: Path) -> None:
    secrets = SecretStore(None)
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    srv = start_server(db)
    url = srv.url
    engine = engine_for(seat, url, secrets)
    engine.login("1001", DEMO_PASSWORD)  # operator A starts the shift online: the seat registers, A signs in
    srv.stop()
    # A works while the server is down, then logs out (the refresh token cannot be revoked: it is forgotten).
    a_numbers = queue(seat, city, 3, operator="1001")
    engine.logout()
    # Operator B (1003) logs in on the same seat, still offline, never signed in here: the login waits for the
    # server, which proves it at the next pass.
    assert engine.defer_login("1003", DEMO_PASSWORD) is False
    with pytest.raises(SyncError):
        engine.run_once()
    b_numbers = queue(seat, city, 2, operator="1003", start=10)
    srv = _restart_on(db, int(url.rsplit(":", 1)[1]))
    try:
        report = engine.run_once()
        assert report.acked == 5  # A's changes too: A signed in here, although A has logged out since
        assert numbers_on_server(url, "1001") == sorted(a_numbers)
        assert numbers_on_server(url, "1003") == sorted(b_numbers)
        assert secrets.get(seat_credential_key(seat.store.seat.seat_id))
    finally:
        srv.stop()


def test_shift_handover_when_the_first_login_here_was_offline(seat: Seat, city: City, tmp_path: Path) -> None:
    """A has never logged in at this seat and the server is down: A's login is proven only when it comes back,
    after A logged out; A's changes still sync, and those of a login the server refuses do not."""
    secrets = SecretStore(None)
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    srv = start_server(db)
    url = srv.url
    engine = engine_for(seat, url, secrets)
    engine.login("1002", DEMO_PASSWORD)  # the seat registered earlier in the day
    engine.logout()
    srv.stop()
    assert engine.defer_login("1001", DEMO_PASSWORD) is False  # no verifier: checked when the server is back
    a_numbers = queue(seat, city, 3, operator="1001")
    engine.logout()
    engine.defer_login("1003", "someone-guessing")  # not 1003's password; nothing here can tell yet
    queue(seat, city, 1, operator="1003", start=10)
    engine.logout()
    engine.defer_login("1004", DEMO_PASSWORD)
    b_numbers = queue(seat, city, 2, operator="1004", start=20)
    srv = _restart_on(db, int(url.rsplit(":", 1)[1]))
    try:
        report = engine.run_once()
        assert (report.acked, report.rejected) == (5, 1)
        assert numbers_on_server(url, "1001") == sorted(a_numbers)
        assert numbers_on_server(url, "1004") == sorted(b_numbers)
        assert server_cases(url, "1003") == []
        [refused] = rejected_changes(seat.store)
        assert "1003" in refused.reason
        assert secrets.get(verifier_key(seat.store.seat.seat_id, "1001"))  # A can log in offline next time
    finally:
        srv.stop()


def test_offline_login_is_checked_against_the_verifier_of_the_last_online_login(
        seat: Seat, city: City, tmp_path: Path) -> None:
    secrets = SecretStore(None)
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    srv = start_server(db)
    url = srv.url
    engine = engine_for(seat, url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    engine.logout()
    srv.stop()
    with pytest.raises(SyncError) as info:  # someone else at the seat, guessing A's password offline
        engine.defer_login("1001", "not-the-password")
    assert info.value.kind is SyncErrorKind.AUTH and not engine.logged_in
    assert engine.defer_login("1001", DEMO_PASSWORD) is True
    verifier = secrets.get(verifier_key(seat.store.seat.seat_id, "1001"))
    assert verifier and DEMO_PASSWORD not in verifier and verifier.startswith("$argon2id$")
    numbers = queue(seat, city, 2, operator="1001")
    srv = _restart_on(db, int(url.rsplit(":", 1)[1]))
    try:
        assert engine.run_once().acked == 2
        assert numbers_on_server(url, "1001") == sorted(numbers)
    finally:
        srv.stop()


def test_a_change_naming_an_operator_who_never_signed_in_here_is_rejected(seat: Seat, city: City,
                                                                          server: EmbeddedServer) -> None:
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1, operator="1002")  # 1002 never logged in at this seat
    mine = queue(seat, city, 1, start=1)
    report = engine.run_once()
    assert (report.acked, report.rejected) == (1, 1)
    [refused] = rejected_changes(seat.store)
    assert "1002" in refused.reason and "未在本座席登录" in refused.reason
    assert numbers_on_server(server.url, "1001") == mine and server_cases(server.url, "1002") == []


def _restart_on(db: str, port: int) -> EmbeddedServer:
    """The same server back on the same address (the seat only knows its URL)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return start_server(db, port=port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_store_restored_from_a_backup_loses_nothing(seat: Seat, city: City, server: EmbeddedServer) -> None:
    """The store file is lost and the last backup comes back: the server holds seqs this store never made."""
    early = queue(seat, city, 2)
    secrets = SecretStore(None)  # the keyring outlives the store file
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    engine.run_once()
    backup = take_backup(seat.store.path)
    later = queue(seat, city, 3, start=2)
    engine.run_once()  # seats pull without their own created events: this store holds them
    restored = restore_from(seat, backup)
    try:
        assert local_numbers(restored) == sorted(early)
        # Queued before the restored seat reaches the server: its seq (3) is one the server already holds.
        record_feedback(restored.store, article_id="demo-002", version=1, verdict="outdated", comment="地址已变",
                        operator_id="1001")
        again = engine_for(restored, server.url, secrets)
        again.login("1001", DEMO_PASSWORD)
        report = again.run_once()
        assert (report.acked, report.rejected) == (1, 0)  # taken as new, not answered "duplicate" and dropped
        assert report.pulled == 3  # the cases made after the backup come back
        assert local_numbers(restored) == sorted(early + later)
        with restored.store.read() as conn:
            assert conn.execute(select(schema.outbox)).all() == []
            assert not conn.execute(select(schema.sync_state.c.pull_own)).scalar_one()
        feedback = requests.get(f"{server.url}/api/v1/kb/feedback", timeout=10,
                                headers={"Authorization": f"Bearer {token(server.url)}"}).json()["feedback"]
        assert [f["comment"] for f in feedback] == ["地址已变"]
        # New cases continue the numbering after the ones pulled back, and reach the server.
        [fresh] = queue(restored, city, 1, start=5)
        assert fresh not in early + later
        assert again.run_once().acked == 1
        assert numbers_on_server(server.url, "1001") == sorted([*early, *later, fresh])
    finally:
        restored.close()


def test_a_restored_store_that_reused_a_case_number_does_not_stall(seat: Seat, city: City,
                                                                   server: EmbeddedServer) -> None:
    secrets = SecretStore(None)  # the keyring outlives the store file
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    engine.run_once()
    backup = take_backup(seat.store.path)
    later = queue(seat, city, 2)
    engine.run_once()
    restored = restore_from(seat, backup)
    try:
        [reused] = queue(restored, city, 1, start=7)  # the restored day counter gives the first number again
        assert reused == later[0]
        again = engine_for(restored, server.url, secrets)
        again.login("1001", DEMO_PASSWORD)
        report = again.run_once()
        assert (report.acked, report.rejected) == (0, 1)
        [refused] = rejected_changes(restored.store)
        assert reused in refused.reason
        assert local_numbers(restored) == sorted(later)  # the second case came back; the pull went on
        assert again.run_once().pulled == 0
    finally:
        restored.close()


def test_outbox_rows_survive_and_server_holds_each_once(seat: Seat, city: City, server: EmbeddedServer) -> None:
    queue(seat, city, 5)
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    engine.run_once()
    engine.run_once()
    cases = server_cases(server.url, "1001")
    assert len(cases) == len({c["number"] for c in cases}) == 5
    with seat.store.read() as conn:
        assert conn.execute(select(schema.outbox)).all() == []


def test_seat_without_keyring_keeps_its_credential_in_a_private_file(seat: Seat, city: City,
                                                                     server: EmbeddedServer, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "secrets"  # the user config folder: outside the data directory
    first = engine_for(seat, server.url, SecretStore(None, file=SecretFile(folder / SECRETS_FILE)))
    first.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1)
    assert first.run_once().acked == 1
    # The next start of the app, same seat store: the credential is read back from the file.
    again = engine_for(seat, server.url, SecretStore(None, file=SecretFile(folder / SECRETS_FILE)))
    again.login("1002", DEMO_PASSWORD)
    queue(seat, city, 1, operator="1002")
    assert again.run_once().acked == 1
    assert first.run_once().acked == 0  # the same credential: nothing was rotated
    kept = folder / SECRETS_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not kept.resolve().is_relative_to(seat.data_dir.resolve())
    names = set(json.loads(kept.read_text(encoding="utf-8")))
    assert seat_credential_key(seat.store.seat.seat_id) in names
    assert not any(name.endswith(":refresh") for name in names)  # tokens stay in memory


def test_a_seat_that_lost_its_credential_comes_back_only_through_an_administrator(
        seat: Seat, city: City, server: EmbeddedServer) -> None:
    first = engine_for(seat, server.url)  # secrets in memory only
    first.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1)
    assert first.run_once().acked == 1
    lost = engine_for(seat, server.url)  # the credential is gone (or this is a copy of the seat's data)
    with pytest.raises(SyncError) as info:
        lost.login("1002", DEMO_PASSWORD)
    assert info.value.code == "seat_taken" and "管理员重置" in str(info.value)
    assert first.run_once().acked == 0  # the real seat was not taken over
    lost.login("admin", DEMO_PASSWORD)  # an administrator at the seat registers it again
    with pytest.raises(SyncError) as gone:  # the credential of the previous run no longer works
        first.run_once()
    assert gone.value.kind is SyncErrorKind.AUTH and not first.logged_in
    lost.logout()
    lost.login("1002", DEMO_PASSWORD)  # signs in with the new credential
    queue(seat, city, 1, operator="1002")
    assert lost.run_once().acked == 1


def test_batches_too_large_for_the_server_are_split(seat: Seat, city: City, tmp_path: Path) -> None:
    srv = start_server(f"sqlite:///{tmp_path / 'c.sqlite'}", max_body_bytes=60_000)
    try:
        for i in range(12):  # ~5,000 Chinese characters each: a dozen together exceed the server's limit
            submit_case(seat.store, city, operator_id="1001",
                        form=direct_form(city, content=f"第{i}件" + "噪音扰民" * 1240))
        engine = engine_for(seat, srv.url)
        engine.login("1001", DEMO_PASSWORD)
        assert engine.run_once().acked == 12
        assert len(server_cases(srv.url, "1001")) == 12
    finally:
        srv.stop()


def test_batches_in_flight_while_the_operator_keeps_queueing(seat: Seat, city: City,
                                                             server: EmbeddedServer) -> None:
    """The next batch is prepared while one is on the server: a rejection inside a batch, and cases the
    operator submits meanwhile, still arrive each exactly once, in seq order."""
    numbers = queue(seat, city, 10)
    with seat.store.write() as conn:  # seq 11: a mutation the server must refuse
        conn.execute(insert(schema.outbox).values(
            mutation_id="00000000-0000-4000-8000-000000000002", name="case.created",
            args_json=json.dumps({"case_id": "x"}), operator_id="1001", entity_id="x", created_at=utc_now(),
            state="pending", attempts=0, last_error=""))
    numbers += queue(seat, city, 12, start=10)
    engine = engine_for(seat, server.url, batch_size=4)
    engine.login("1001", DEMO_PASSWORD)
    sent: list[list[int]] = []
    push_body, desk = engine.client.push_body, seat

    def push_and_type(token: str, seat: object, body: bytes) -> object:
        sent.append([m["seq"] for m in json.loads(body)["mutations"]])
        if len(sent) == 2:  # the operator submits two more cases while batches are flowing
            numbers.extend(queue(desk, city, 2, start=100))
        return push_body(token, seat, body)  # type: ignore[arg-type]

    engine.client.push_body = push_and_type  # type: ignore[method-assign]
    report = engine.run_once()
    report_2 = engine.run_once()  # whatever the first pass did not reach
    assert report.rejected == 1 and report.acked + report_2.acked == 24
    flat = [seq for batch in sent for seq in batch]
    assert flat == sorted(flat) and len(flat) == len(set(flat)) == 25, sent
    assert numbers_on_server(server.url, "1001") == sorted(numbers)
    assert outbox_summary(seat.store).pending == 0


def test_logout_revokes_the_refresh_token_on_the_server(seat: Seat, server: EmbeddedServer) -> None:
    secrets = SecretStore(None)
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    refresh = secrets.get(refresh_token_key(seat.store.seat.seat_id, "1001"))
    assert refresh
    engine.logout()
    assert secrets.get(refresh_token_key(seat.store.seat.seat_id, "1001")) is None
    resp = requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": refresh}, timeout=10)
    assert resp.status_code == 401 and resp.json()["error"] == "token_revoked"


class _AnswerLost(ServerClient):
    """The registration reaches the server and is made there, but its answer never reaches the seat (a dropped
    connection, or the seat process killed while it waited) — as sync_chaos.py found on a seat killed mid-login."""

    def register_seat(self, token: str, **kwargs: Any) -> str:
        super().register_seat(token, **kwargs)
        raise SyncError(SyncErrorKind.NETWORK, "connection reset while reading the answer")


def test_a_registration_whose_answer_was_lost_is_asked_again_without_an_administrator(
        seat: Seat, city: City, server: EmbeddedServer) -> None:
    secrets = SecretStore(None)  # the seat's keyring: it outlives the process
    first = SyncEngine(seat.store, _AnswerLost(server.url), secrets)
    with pytest.raises(SyncError) as lost:
        first.login("1001", DEMO_PASSWORD)
    assert lost.value.kind is SyncErrorKind.NETWORK
    again = engine_for(seat, server.url, secrets)  # the seat starts again and logs in
    again.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1)
    assert again.run_once().acked == 1
    # Nobody else can do the same: asking without the credential the seat chose is still a takeover attempt.
    with pytest.raises(SyncError) as taken:
        engine_for(seat, server.url).login("1002", DEMO_PASSWORD)
    assert taken.value.code == "seat_taken"

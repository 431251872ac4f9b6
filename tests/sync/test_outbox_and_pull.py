"""The seat's half of the protocol: batches, acknowledgements, rejections, pulled events, corrections."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import select

from contract.city.model import City
from contract.names import ENTITY_CASE_EVENT
from contract.protocol import Change, MutationResult, PushResponse
from operator_app.errors import OperatorAppError
from operator_app.private_files import PRIVATE_DIR_ENV
from operator_app.seat import Seat
from operator_app.services.case_queries import get_case, outbox_summary
from operator_app.services.corrections import rejected_case_form, resubmit_case
from operator_app.services.intake import submit_case
from operator_app.store import schema
from sync.backoff import Backoff
from sync.outbox import pending_batch, record_failure, record_push, rejected_changes
from sync.pull_apply import apply_pulled
from sync.secrets import SecretStore, open_secret_store
from tests.core.helpers import direct_form, dispatch_form
from tests.keyrings import MemoryKeyring


def queue(seat: Seat, city: City, n: int) -> list[str]:
    return [submit_case(seat.store, city, form=direct_form(city, content=f"第{i}件"), operator_id="1001").case_id
            for i in range(n)]


def test_batch_in_seq_order_and_acks_remove_rows(seat: Seat, city: City) -> None:
    ids = queue(seat, city, 3)
    batch = pending_batch(seat.store)
    assert [m.seq for m in batch] == [1, 2, 3] and [m.entity_id for m in batch] == ids
    response = PushResponse(last_applied_seq=3, results=[
        MutationResult(seq=1, status="applied"), MutationResult(seq=2, status="duplicate"),
        MutationResult(seq=3, status="rejected", error="分类已停用")])
    outcome = record_push(seat.store, batch, response)
    assert (outcome.acked, outcome.rejected, outcome.unanswered) == (2, 1, 0)
    assert pending_batch(seat.store) == []
    rejected = rejected_changes(seat.store)
    assert [(r.seq, r.reason) for r in rejected] == [(3, "分类已停用")]
    summary = outbox_summary(seat.store)
    assert (summary.pending, summary.rejected) == (0, 1)
    synced = {i: get_case(seat.store, i).synced for i in ids}  # type: ignore[union-attr]
    assert synced == {ids[0]: True, ids[1]: True, ids[2]: False}
    with seat.store.read() as conn:
        assert conn.execute(select(schema.sync_state.c.last_acked_seq)).scalar() == 3


def test_gap_answer_keeps_the_rest_pending(seat: Seat, city: City) -> None:
    queue(seat, city, 3)
    batch = pending_batch(seat.store)
    outcome = record_push(seat.store, batch, PushResponse(last_applied_seq=1, results=[
        MutationResult(seq=1, status="applied")]))
    assert (outcome.acked, outcome.unanswered) == (1, 2)
    assert [m.seq for m in pending_batch(seat.store)] == [2, 3]


def test_network_failure_keeps_everything(seat: Seat, city: City) -> None:
    queue(seat, city, 2)
    batch = pending_batch(seat.store)
    record_failure(seat.store, batch, "cannot reach the central server: ConnectionError")
    assert pending_batch(seat.store) == batch
    with seat.store.read() as conn:
        assert set(conn.execute(select(schema.outbox.c.attempts)).scalars()) == {1}


def test_pulled_department_events_update_status_once(seat: Seat, city: City) -> None:
    result = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    signed = Change(entity=ENTITY_CASE_EVENT, id="ev-2", op="upsert", version=1, data={
        "case_id": result.case_id, "number": result.number,
        "event": {"id": "ev-2", "seq": 2, "kind": "signed", "payload": {"department_id": "zjj"},
                  "operator_id": "", "recorded_at": "2026-11-28T10:00:00+00:00"}})
    outcome = apply_pulled(seat.store, [signed, signed], cursor=7)
    assert outcome.applied == 1 and outcome.case_ids == (result.case_id,)
    assert apply_pulled(seat.store, [signed], cursor=8).applied == 0
    detail = get_case(seat.store, result.case_id)
    assert detail is not None and detail.state.status == "signed"
    assert [e.kind for e in detail.events] == ["created", "signed"]
    with seat.store.read() as conn:
        assert conn.execute(select(schema.sync_state.c.pull_cursor)).scalar() == 8


def test_rejected_case_corrected_and_requeued_keeps_number(seat: Seat, city: City) -> None:
    first = submit_case(seat.store, city, form=dispatch_form(city, content="原始内容"), operator_id="1001")
    batch = pending_batch(seat.store)
    record_push(seat.store, batch, PushResponse(last_applied_seq=1, results=[
        MutationResult(seq=1, status="rejected", error="主办单位已撤销")]))
    form = rejected_case_form(seat.store, seq=1)
    assert form.content == "原始内容"
    lead = [d for d in city.departments.values() if d.kind == "department"][1].name
    again = resubmit_case(seat.store, city, seq=1, form=dispatch_form(city, content="更正后的内容",
                                                                     lead_department=lead))
    assert (again.case_id, again.number) == (first.case_id, first.number)
    batch = pending_batch(seat.store)
    assert [m.seq for m in batch] == [2]
    assert batch[0].args["event"]["payload"]["fields"]["content"] == "更正后的内容"
    assert rejected_changes(seat.store) == []
    with pytest.raises(OperatorAppError):
        resubmit_case(seat.store, city, seq=1, form=dispatch_form(city))


def test_backoff_grows_with_jitter_and_caps() -> None:
    backoff = Backoff(rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0.5 <= d <= 60 for d in delays) and max(delays[8:]) > 30
    assert all(delays[i] <= min(60, 2 ** i) for i in range(12))
    backoff.reset()
    assert backoff.next_delay() <= 1


def test_secrets_go_to_a_secure_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = open_secret_store()
    assert store.secure
    store.set("seat:x:credential", "s3cret")
    assert backend.items == {("operator-desk", "seat:x:credential"): "s3cret"}


def test_without_a_secure_keyring_the_credential_goes_to_a_private_file(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))
    store = open_secret_store()
    assert isinstance(store, SecretStore) and not store.secure and store.file is not None
    assert store.file == tmp_path / "config" / "secrets" / "seat-secrets.json"  # where earlier versions put it
    store.set("seat:x:credential", "s3cret")
    store.set("seat:x:operator:1001:refresh", "a-token")
    assert store.get("seat:x:credential") == "s3cret" and store.get("seat:x:operator:1001:refresh") == "a-token"
    assert stat.S_IMODE(store.file.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.file.parent.stat().st_mode) == 0o700
    assert b"a-token" not in store.file.read_bytes()  # tokens stay in memory
    again = open_secret_store()  # the next start of the app
    assert again.get("seat:x:credential") == "s3cret" and again.get("seat:x:operator:1001:refresh") is None
    os.chmod(store.file, 0o644)  # loosened by someone: closed again before it is read
    assert again.get("seat:x:credential") == "s3cret" and stat.S_IMODE(store.file.stat().st_mode) == 0o600
    again.delete("seat:x:credential")
    assert open_secret_store().get("seat:x:credential") is None

"""Exactly once, by identity (issue 14, findings 2 and 3): a row leaves the outbox only when the server holds its
mutation_id; a seq that holds another change is sent again above the mark; a restore never leaves a gap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select, text, update

from central_server.embedded import EmbeddedServer
from contract.city.model import City
from contract.protocol import PROTOCOL_VERSION, Mutation, MutationResult, PushRequest, PushResponse
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import get_case, outbox_summary
from operator_app.services.corrections import resubmit_case
from operator_app.services.intake import submit_case
from operator_app.store import schema
from operator_app.store.backup import take_backup
from operator_app.store.keys import KEY_REF_FILE
from sync.embedded import DEMO_PASSWORD
from sync.engine import SyncEngine
from sync.outbox import highest_seq_made, pending_batch, realign_pending, record_push, rejected_changes
from sync.secrets import SecretStore
from tests.core.helpers import direct_form, dispatch_form
from tests.integration.conftest import engine_for, server, server_cases  # noqa: F401 - the live server fixture
from tests.server.conftest import pg_cluster  # noqa: F401 - the throwaway PostgreSQL cluster fixture


def queue(seat: Seat, city: City, n: int, start: int = 0) -> list[str]:
    return [submit_case(seat.store, city, form=direct_form(city, content=f"第{start + i}件咨询"),
                        operator_id="1001").number for i in range(n)]


def outbox_rows(seat: Seat) -> list[tuple[int, str, str]]:
    o = schema.outbox.c
    with seat.store.read() as conn:
        return [(r.seq, r.state, r.entity_id) for r in conn.execute(select(o.seq, o.state, o.entity_id)
                                                                    .order_by(o.seq))]


def copy_of(seat: Seat, folder: Path) -> Seat:
    """Another data directory holding a copy of this seat's store (same seat id and code): a copied PC."""
    folder.mkdir()
    shutil.copyfile(take_backup(seat.store.path), folder / seat.store.path.name)
    # With it goes the name of its key (the key itself is this OS account's, as on a copied PC's same account).
    shutil.copyfile(seat.store.path.parent / KEY_REF_FILE, folder / KEY_REF_FILE)
    return open_seat(folder)


def numbers_on_server(url: str) -> list[str]:
    return sorted(c["number"] for c in server_cases(url, "1001"))


def case_ids_on_server(url: str) -> set[str]:
    return {c["id"] for c in server_cases(url, "1001")}


def push_raw(engine: SyncEngine, mutations: list[Mutation]) -> PushResponse:
    """A push under this seat's credential that its own outbox did not make."""
    auth = engine._seat_auth()
    request = PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=auth.seat_id, mutations=mutations)
    return engine._authed(lambda token: engine.client.push(token, auth, request))


def with_number(m: Mutation, number: str) -> Mutation:
    args = json.loads(json.dumps(m.args))
    args["event"]["payload"]["number"] = number
    return m.model_copy(update={"args": args})


# --- the outbox alone ------------------------------------------------------------------------------------------

def test_a_conflict_keeps_the_row_pending_and_moves_the_queue_above_the_mark(seat: Seat, city: City) -> None:
    first, second, third = (submit_case(seat.store, city, form=direct_form(city, content=f"第{i}件"),
                                        operator_id="1001").case_id for i in range(3))
    batch = pending_batch(seat.store)
    outcome = record_push(seat.store, batch, PushResponse(last_applied_seq=3, results=[
        MutationResult(seq=1, status="applied"), MutationResult(seq=2, status="conflict", code="seq_conflict"),
        MutationResult(seq=3, status="applied")]))
    assert (outcome.acked, outcome.rejected, outcome.conflicts, outcome.unanswered) == (2, 0, 1, 0)
    assert outbox_rows(seat) == [(4, "pending", second)]  # kept, under a seq the server has not seen
    assert not get_case(seat.store, second).synced  # type: ignore[union-attr]
    assert get_case(seat.store, first).synced and get_case(seat.store, third).synced  # type: ignore[union-attr]
    later = submit_case(seat.store, city, form=direct_form(city), operator_id="1001").case_id
    assert outbox_rows(seat) == [(4, "pending", second), (5, "pending", later)]  # no gap after it


def test_a_gap_left_by_a_rejected_row_is_closed(seat: Seat, city: City) -> None:
    """What an older seat left after a restore: a rejected row where the server waits, pending rows after it."""
    queue(seat, city, 3)
    with seat.store.write() as conn:
        conn.execute(update(schema.outbox).where(schema.outbox.c.seq == 1).values(state="rejected",
                                                                                 last_error="refused"))
        moved = realign_pending(conn, 1)  # the server holds nothing yet: it waits for seq 1
        assert highest_seq_made(conn) == 2
    assert moved == 2
    assert [(seq, state) for seq, state, _ in outbox_rows(seat)] == [(0, "rejected"), (1, "pending"),
                                                                     (2, "pending")]
    assert [r.reason for r in rejected_changes(seat.store)] == ["refused"]
    queue(seat, city, 1, start=3)
    assert [m.seq for m in pending_batch(seat.store)] == [1, 2, 3]


# --- against a real server -------------------------------------------------------------------------------------

def test_a_change_whose_seq_a_foreign_push_took_reaches_the_server_under_a_new_seq(
    seat: Seat, city: City, server: EmbeddedServer, tmp_path: Path  # noqa: F811
) -> None:
    secrets = SecretStore(None)
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    other = copy_of(seat, tmp_path / "copy")
    try:
        queue(other, city, 1, start=50)
        [foreign] = pending_batch(other.store)
    finally:
        other.close()
    [mine] = queue(seat, city, 1)
    number = mine.rsplit("-", 1)[0] + "-0900"
    assert [r.status for r in push_raw(engine, [with_number(foreign, number)]).results] == ["applied"]
    report = engine.run_once()
    assert numbers_on_server(server.url) == sorted([mine, number])
    assert outbox_rows(seat) == []
    with seat.store.read() as conn:
        assert all(conn.execute(select(schema.cases.c.synced)).scalars())
    assert (report.acked, report.rejected, report.conflicts) == (1, 0, 1)


def test_a_copied_data_directory_never_shows_a_case_synced_that_the_server_lacks(
    seat: Seat, city: City, server: EmbeddedServer, tmp_path: Path  # noqa: F811
) -> None:
    secrets = SecretStore(None)  # the copy carries the same seat, and here the same credential
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    copy = copy_of(seat, tmp_path / "copy")
    try:
        copy_engine = engine_for(copy, server.url, secrets)
        copy_engine.login("1001", DEMO_PASSWORD)
        [theirs] = queue(copy, city, 1, start=20)
        assert copy_engine.run_once().acked == 1
        made = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
        assert made.number == theirs  # both copies issued the same number under the same seq
        report = engine.run_once()
        assert not get_case(seat.store, made.case_id).synced  # type: ignore[union-attr]
        assert made.case_id not in case_ids_on_server(server.url)
        [shown] = rejected_changes(seat.store)  # shown to a person, with the reason
        assert shown.entity_id == made.case_id and made.number in shown.reason
        assert (report.acked, report.rejected, report.conflicts) == (0, 1, 1)
        # Work goes on for both copies.
        [later] = queue(seat, city, 1, start=30)
        assert engine.run_once().acked == 1
        assert later in numbers_on_server(server.url)
    finally:
        copy.close()


def test_a_restored_store_holding_a_rejected_change_keeps_syncing_and_its_correction_syncs(
    seat: Seat, city: City, server: EmbeddedServer  # noqa: F811
) -> None:
    secrets = SecretStore(None)  # the seat's keyring: it outlives the store that is restored
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1)
    bad = submit_case(seat.store, city, form=dispatch_form(city, content="主办单位写错了"), operator_id="1001")
    with seat.store.write() as conn:  # a change the server refuses (as a since-withdrawn department would be)
        row = conn.execute(select(schema.outbox).where(schema.outbox.c.entity_id == bad.case_id)).one()
        args = json.loads(row.args_json)
        args["event"]["payload"]["fields"]["disposition"] = "unknown"
        conn.execute(update(schema.outbox).where(schema.outbox.c.seq == row.seq)
                     .values(args_json=json.dumps(args, ensure_ascii=False)))
    assert (engine.run_once().rejected, len(rejected_changes(seat.store))) == (1, 1)
    backup = take_backup(seat.store.path)
    queue(seat, city, 1, start=1)
    engine.run_once()
    seat.close()
    for leftover in seat.store.path.parent.glob(seat.store.path.name + "-*"):  # -wal, -shm
        leftover.unlink()
    shutil.copyfile(backup, seat.store.path)
    restored = open_seat(seat.data_dir)
    try:
        again = engine_for(restored, server.url, secrets)
        again.login("1001", DEMO_PASSWORD)
        assert again.run_once().pulled == 1  # the case made after the backup comes back
        [fresh] = queue(restored, city, 1, start=2)
        assert again.run_once().acked == 1  # never "did not accept the next change"
        assert fresh in numbers_on_server(server.url)
        [refused] = rejected_changes(restored.store)
        resubmit_case(restored.store, city, seq=refused.seq, form=dispatch_form(city, content="主办单位已改正"))
        assert again.run_once().acked == 1
        assert bad.number in numbers_on_server(server.url)
        assert outbox_summary(restored.store).pending == outbox_summary(restored.store).rejected == 0
        with restored.store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
    finally:
        restored.close()


def test_a_seat_left_waiting_at_a_gap_closes_it(seat: Seat, city: City, server: EmbeddedServer  # noqa: F811
                                               ) -> None:
    """As an older seat left a restored store: a rejected row where the server waits, new cases after it."""
    engine = engine_for(seat, server.url)
    engine.login("1001", DEMO_PASSWORD)
    queue(seat, city, 1)
    engine.run_once()
    in_the_way, waiting = queue(seat, city, 2, start=1)
    with seat.store.write() as conn:
        conn.execute(update(schema.outbox).where(schema.outbox.c.seq == 2).values(state="rejected",
                                                                                 last_error="退回"))
    assert engine.run_once().acked == 1  # not "did not accept the next change (it has up to 1)"
    assert waiting in numbers_on_server(server.url) and in_the_way not in numbers_on_server(server.url)
    assert [r.reason for r in rejected_changes(seat.store)] == ["退回"]
    [later] = queue(seat, city, 1, start=3)
    assert engine.run_once().acked == 1 and later in numbers_on_server(server.url)

"""Attacks on the sync queue over loopback, against a real server on SQLite and PostgreSQL (issue 14): a seq
re-used with another mutation_id, one seq twice in a batch, a poison event in the server's feed."""

from __future__ import annotations

import copy
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseEvent
from central_server.embedded import EmbeddedServer
from contract.city.model import City
from contract.protocol import PROTOCOL_VERSION, PushRequest
from operator_app.seat import Seat, open_seat
from operator_app.services.case_queries import get_case
from operator_app.services.intake import submit_case
from operator_app.store.backup import take_backup
from operator_app.store.keys import KEY_REF_FILE
from sync.embedded import DEMO_PASSWORD
from sync.outbox import pending_batch
from sync.quarantine import quarantine_count, quarantined_changes
from sync.secrets import SecretStore
from tests.core.helpers import dispatch_form
from tests.integration.conftest import act, engine_for, server_on
from tests.server.api_client import Api, SeatClient, assert_error, count_rows
from tests.server.conftest import (  # noqa: F401 - fixtures: a fresh database per test and a live server on it
    ServerFactory,
    database_url,
    pg_cluster,
    server_factory,
    sqlite_template,
)

# --- seq re-use -------------------------------------------------------------------------------------------------


def test_another_mutation_under_a_stored_seq_is_a_conflict_and_nothing_is_stored(
    server_factory: ServerFactory, database_url: str  # noqa: F811
) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    honest = seat.case_created(1)
    assert seat.push([honest]).json()["results"][0]["status"] == "applied"
    forged = seat.case_created(1)  # another case under the same seq, as a copied store or a foreign push sends
    answer = seat.push([forged])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"last_applied_seq": 1, "results": [
        {"seq": 1, "status": "conflict", "code": "seq_conflict", "error": answer.json()["results"][0]["error"]}]}
    assert answer.json()["results"][0]["error"]
    assert count_rows(database_url, "cases") == 1 and count_rows(database_url, "seat_mutations") == 1
    numbers = [c["number"] for c in seat.api.get("/operators/1001/cases", headers=seat.auth).json()["cases"]]
    assert numbers == [honest["args"]["event"]["payload"]["number"]]
    assert seat.push([honest]).json()["results"][0]["status"] == "duplicate"  # the stored one is still itself
    again = seat.push([{**forged, "seq": 2}]).json()  # sent again above the mark, as the seat does
    assert again["results"] == [{"seq": 2, "status": "applied", "error": None, "code": None}]


def test_a_seq_that_re_used_an_id_is_compared_with_the_id_it_was_sent_with(
    server_factory: ServerFactory, database_url: str  # noqa: F811
) -> None:
    """Seq 2 re-used seq 1's id, so it claims none; another mutation under seq 2 is still no duplicate."""
    seat = SeatClient.register(Api(server_factory().url))
    first = seat.case_created(1)
    assert [r["status"] for r in seat.push([first, {**first, "seq": 2}]).json()["results"]] == [
        "applied", "duplicate"]
    forged = seat.case_created(2)
    assert [r["status"] for r in seat.push([forged]).json()["results"]] == ["conflict"]
    assert [r["status"] for r in seat.push([{**first, "seq": 2}]).json()["results"]] == ["duplicate"]
    assert count_rows(database_url, "cases") == 1 and count_rows(database_url, "seat_mutations") == 2


def test_one_seq_twice_in_a_batch_is_refused_whole(
    server_factory: ServerFactory, database_url: str  # noqa: F811
) -> None:
    seat = SeatClient.register(Api(server_factory().url))
    assert_error(seat.push([seat.case_created(1), seat.case_created(1)]), 422, "duplicate_seq")
    assert count_rows(database_url, "cases") == 0 and count_rows(database_url, "seat_mutations") == 0


# --- a poison event in the feed ---------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def demo_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[EmbeddedServer, str]]:
    """The embedded server with the demo city, and its database URL (to plant what an attacker could)."""
    with server_on(request, tmp_path, "attack_queue") as running:
        yield running


def _plant_poison(db_url: str, number: str) -> None:
    """The created event of case `number`, as stored on the server, loses its urgency."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            event = session.scalars(select(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
                                    .where(Case.number == number, CaseEvent.kind == "created")).one()
            payload: dict[str, Any] = copy.deepcopy(event.payload)
            del payload["fields"]["urgency"]
            event.payload = payload
            session.commit()
    finally:
        engine.dispose()


def test_a_poison_event_in_the_feed_is_quarantined_and_sync_goes_on(
    seat: Seat, city: City, demo_server: tuple[EmbeddedServer, str], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, db_url = demo_server
    secrets = SecretStore(None)
    engine = engine_for(seat, server.url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    first = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001")
    assert engine.run_once().acked == 1
    # A push under this seat that its store did not make (a copy of its data directory, its credential).
    folder = tmp_path / "copy"
    folder.mkdir()
    shutil.copyfile(take_backup(seat.store.path), folder / seat.store.path.name)
    shutil.copyfile(seat.store.path.parent / KEY_REF_FILE, folder / KEY_REF_FILE)  # the name of its key goes along
    other = open_seat(folder)
    try:
        poisoned = submit_case(other.store, city, form=dispatch_form(city, caller_name="赵六", phone="13900001111"),
                               operator_id="1001")
        auth = engine._seat_auth()
        request = PushRequest(protocol_version=PROTOCOL_VERSION, seat_id=auth.seat_id,
                              mutations=pending_batch(other.store))
        assert engine._authed(lambda t: engine.client.push(t, auth, request)).results[0].status == "applied"
    finally:
        other.close()
    _plant_poison(db_url, poisoned.number)
    dept = city.department_by_name(dispatch_form(city).lead_department)
    assert dept is not None
    act(server.url, first.number, "sign", department_id=dept.id)  # a good change after the bad one
    with caplog.at_level(logging.INFO):
        report = engine.run_once()  # this store is behind the server: it pulls its own cases back
    assert report.quarantined == 1
    detail = get_case(seat.store, first.case_id)
    assert detail is not None and detail.state.status == "signed"  # the rest of the page was applied
    assert get_case(seat.store, poisoned.case_id) is None
    [kept] = quarantined_changes(seat.store)
    assert (kept.case_id, kept.number, kept.error) == (poisoned.case_id, poisoned.number, "KeyError")
    assert "赵六" not in caplog.text and "13900001111" not in caplog.text  # ids and the error's class only
    again = engine.run_once()  # the next pass does not fail, and keeps it once
    assert again.pulled == 0 and quarantine_count(seat.store) == 1


def test_a_rejected_mutation_sent_again_under_a_new_seq_keeps_its_reason(
    server_factory: ServerFactory, database_url: str  # noqa: F811
) -> None:
    """A restored store re-sends, above the mark, a change the server had refused: the person sees why."""
    seat = SeatClient.register(Api(server_factory().url))
    bad = seat.case_created(1)
    bad["args"]["event"]["payload"]["fields"]["disposition"] = "unknown"
    [first] = seat.push([bad]).json()["results"]
    assert first["status"] == "rejected" and first["error"]
    [again] = seat.push([{**bad, "seq": 2}]).json()["results"]
    assert again == {"seq": 2, "status": "rejected", "error": first["error"], "code": first["code"]}
    [in_batch] = seat.push([{**bad, "seq": 3}, {**bad, "seq": 4}]).json()["results"][1:]
    assert in_batch == {"seq": 4, "status": "rejected", "error": first["error"], "code": first["code"]}
    assert count_rows(database_url, "cases") == 0

"""A damaged or lost store brought back (a backup, or an empty store for the same seat) gets its cases back from a
real central server, and its new cases continue the numbering after them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from central_server.embedded import EmbeddedServer
from contract.city.model import City
from operator_app.errors import StoreDamaged, StoreMissing
from operator_app.seat import Seat, open_seat
from operator_app.services.intake import submit_case
from operator_app.store import schema
from operator_app.store.backup import take_backup
from operator_app.store.recovery import restore_backup, start_empty
from sync.embedded import DEMO_PASSWORD
from sync.secrets import SecretStore
from tests.core.helpers import direct_form
from tests.core.test_store_integrity import garble_middle, truncate
from tests.integration.conftest import engine_for, server_cases


def queue(seat: Seat, city: City, n: int, start: int) -> list[str]:
    """Cases with long content, so the store spans enough pages for damage in its middle to hit them."""
    return [submit_case(seat.store, city, operator_id="1001",
                        form=direct_form(city, content=f"第{start + i}件咨询" + "医保异地报销" * 60)).number
            for i in range(n)]


def local_numbers(seat: Seat) -> list[str]:
    with seat.store.read() as conn:
        return sorted(conn.execute(select(schema.cases.c.number)).scalars())


def synced_seat_then_lost(seat: Seat, city: City, url: str, secrets: SecretStore) -> tuple[list[str], list[str]]:
    """30 cases synced, a backup, 30 more synced, then the store is closed (to be damaged by the test)."""
    early = queue(seat, city, 30, start=0)
    engine = engine_for(seat, url, secrets)
    engine.login("1001", DEMO_PASSWORD)
    assert engine.run_once().acked == 30
    take_backup(seat.store.path)
    later = queue(seat, city, 30, start=30)
    assert engine.run_once().acked == 30
    seat.close()
    return early, later


def sync_back_and_continue(seat: Seat, city: City, url: str, secrets: SecretStore, *, had: list[str],
                           expected: list[str]) -> None:
    """Sync the brought-back store: the missing cases come back, a new case takes the next number."""
    assert local_numbers(seat) == sorted(had)
    again = engine_for(seat, url, secrets)  # the keyring still holds the seat's credential
    again.login("1001", DEMO_PASSWORD)
    report = again.run_once()
    assert report.pulled == len(expected) - len(had)
    assert local_numbers(seat) == sorted(expected)
    [fresh] = queue(seat, city, 1, start=len(expected))
    assert fresh not in expected and fresh.endswith(f"-{len(expected) + 1:04d}")
    assert again.run_once().acked == 1
    numbers = [c["number"] for c in server_cases(url, "1001")]
    assert sorted(numbers) == sorted([*expected, fresh])  # each case once on the server


@pytest.mark.parametrize("damage", [truncate, garble_middle], ids=["truncated", "garbled"])
def test_a_restored_backup_gets_its_later_cases_back(seat: Seat, city: City, server: EmbeddedServer,
                                                     damage: Callable[[Path], None]) -> None:
    secrets = SecretStore(None)
    seat_id = seat.store.seat.seat_id
    early, later = synced_seat_then_lost(seat, city, server.url, secrets)
    damage(seat.store.path)
    with pytest.raises((StoreDamaged, StoreMissing)):
        open_seat(seat.data_dir)
    restored = restore_backup(seat.data_dir)
    assert restored.backup is not None and restored.backup.cases == 30
    back = open_seat(seat.data_dir)
    try:
        assert back.store.seat.seat_id == seat_id
        sync_back_and_continue(back, city, server.url, secrets, had=early, expected=early + later)
    finally:
        back.close()


def test_an_empty_store_for_the_same_seat_after_the_data_directory_was_deleted(
        seat: Seat, city: City, server: EmbeddedServer) -> None:
    secrets = SecretStore(None)
    seat_id, code = seat.store.seat.seat_id, seat.store.seat.seat_code
    early, later = synced_seat_then_lost(seat, city, server.url, secrets)
    shutil.rmtree(seat.data_dir)  # backups and all
    with pytest.raises(StoreMissing) as info:
        open_seat(seat.data_dir)
    assert (info.value.seat_id, info.value.seat_code) == (seat_id, code)
    start_empty(seat.data_dir)
    back = open_seat(seat.data_dir, seat_code="S999")
    try:
        assert (back.store.seat.seat_id, back.store.seat.seat_code) == (seat_id, code)
        sync_back_and_continue(back, city, server.url, secrets, had=[], expected=early + later)
    finally:
        back.close()

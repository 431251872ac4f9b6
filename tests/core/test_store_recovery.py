"""The seat's identity kept outside the store, and bringing a store back: backups listed and checked, one restored in
place, an empty store for the same seat."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contract.city.model import City
from operator_app.errors import StoreError, StoreMissing
from operator_app.seat import open_seat
from operator_app.services.case_queries import outbox_summary
from operator_app.services.intake import submit_case
from operator_app.store import schema
from operator_app.store.backup import take_backup
from operator_app.store.database import DB_FILE, Store
from operator_app.store.identity import identity_file
from operator_app.store.recovery import list_backups, restore_backup, start_empty
from tests.core.helpers import direct_form
from tests.core.test_store_integrity import garble_middle, make_seat
from tests.keyrings import MemoryKeyring, installed


def test_a_brand_new_seat_just_works_and_its_identity_is_kept_outside(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    seat = open_seat(folder, seat_code="S021")
    seat_id = seat.store.seat.seat_id
    seat.close()
    record = identity_file(folder)
    assert folder not in record.parents
    assert seat_id in record.read_text(encoding="utf-8") and "S021" in record.read_text(encoding="utf-8")
    if os.name == "posix":
        assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_a_lost_store_with_backups_but_no_identity_is_not_replaced(tmp_path: Path, city: City) -> None:
    """A seat from before identities were kept: its backups say it existed."""
    folder = tmp_path / "seat"
    make_seat(folder, city, 1)
    take_backup(folder / DB_FILE)
    identity_file(folder).unlink()
    (folder / DB_FILE).unlink()
    with pytest.raises(StoreMissing) as info:
        Store.open(folder, seat_code="S001")
    assert info.value.seat_id is None


def test_backups_are_listed_newest_good_first_and_restored_in_place(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    seat_id, numbers = make_seat(folder, city, 3)
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    old = take_backup(folder / DB_FILE, now=start)
    seat = open_seat(folder)
    submit_case(seat.store, city, operator_id="1001", form=direct_form(city))
    seat.close()
    good = take_backup(folder / DB_FILE, now=start + timedelta(hours=1))
    bad = take_backup(folder / DB_FILE, now=start + timedelta(hours=2))
    garble_middle(bad)
    listed = list_backups(folder)
    assert [b.path for b in listed] == [good, old, bad]
    assert [(b.good, b.cases, b.pending) for b in listed[:2]] == [(True, 4, 4), (True, 3, 3)]
    assert not listed[2].good and listed[2].problem
    assert sorted(p.name for p in (folder / "backups").iterdir()) == sorted(p.name for p in (old, good, bad))

    garble_middle(folder / DB_FILE)
    damaged = (folder / DB_FILE).read_bytes()
    restored = restore_backup(folder, now=start + timedelta(hours=3))
    assert restored.backup is not None and restored.backup.path == good
    aside = folder / "seat.sqlite.damaged-20261128T110000Z"
    assert aside in restored.moved_aside and aside.read_bytes() == damaged
    seat = open_seat(folder)
    try:
        assert seat.store.seat.seat_id == seat_id
        with seat.store.read() as conn:
            assert len(conn.execute(select(schema.cases.c.number)).all()) == 4
    finally:
        seat.close()


def test_a_good_store_is_replaced_only_when_forced(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 1)
    take_backup(folder / DB_FILE)
    with pytest.raises(StoreError, match="passes its check"):
        restore_backup(folder)
    restored = restore_backup(folder, force=True)
    assert {p.name.split("-")[0] for p in restored.moved_aside} == {"seat.sqlite.replaced"}


def test_the_keyring_copy_brings_the_identity_back(tmp_path: Path, city: City) -> None:
    with installed(MemoryKeyring()) as memory:
        folder = tmp_path / "seat"
        seat_id, _ = make_seat(folder, city, 1, code="S044")
        assert any(seat_id in v for v in memory.items.values())
        shutil.rmtree(folder)
        identity_file(folder).unlink()  # the user's configuration folder was wiped too
        with pytest.raises(StoreMissing) as info:
            open_seat(folder)
        assert (info.value.seat_id, info.value.seat_code) == (seat_id, "S044")
        assert seat_id in identity_file(folder).read_text(encoding="utf-8")  # the file is back


def test_an_empty_store_for_the_same_seat(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    seat_id, _ = make_seat(folder, city, 1, code="S033")
    shutil.rmtree(folder)
    restored = start_empty(folder)  # the explicit choice: a new empty store for this same seat
    assert restored.moved_aside == [] and restored.backup is None
    seat = open_seat(folder, seat_code="S001")
    try:
        assert (seat.store.seat.seat_id, seat.store.seat.seat_code) == (seat_id, "S033")
        assert outbox_summary(seat.store).pending == 0
    finally:
        seat.close()

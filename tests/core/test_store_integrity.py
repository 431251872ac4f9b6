"""A deleted, truncated or damaged store is never replaced silently or written into; the seat's identity survives.
Only names today's main has are imported here, so each test fails there on behaviour, not on an import."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from contract.city.model import City
from operator_app import errors
from operator_app.errors import StoreError
from operator_app.seat import open_seat
from operator_app.services.intake import submit_case
from operator_app.store import schema
from operator_app.store.database import DB_FILE, Store
from operator_app.store.integrity import unchanged_since_verified
from operator_app.store.keys import KEY_REF_FILE
from tests.core.helpers import direct_form


def make_seat(folder: Path, city: City, cases: int, *, code: str = "S017") -> tuple[str, list[str]]:
    """A seat with `cases` cases (long content: the file spans many pages); returns its id and the numbers."""
    seat = open_seat(folder, seat_code=code)
    numbers = [submit_case(seat.store, city, operator_id="1001",
                           form=direct_form(city, content=f"第{i}件咨询" + "医保异地报销" * 60)).number
               for i in range(cases)]
    seat_id = seat.store.seat.seat_id
    seat.close()
    return seat_id, numbers


def garble_middle(path: Path) -> None:
    """Overwrite eight pages in the middle of the file with a pattern no SQLite page has."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek((size // 2) // 4096 * 4096)
        fh.write(bytes((i * 7 + 3) % 256 for i in range(256)) * 128)


def truncate(path: Path) -> None:
    path.write_bytes(b"")


def delete(path: Path) -> None:
    path.unlink()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("damage", [delete, truncate], ids=["deleted", "truncated"])
def test_a_lost_store_is_not_replaced_by_a_new_seat(tmp_path: Path, city: City,
                                                    damage: Callable[[Path], None]) -> None:
    folder = tmp_path / "seat"
    seat_id, _ = make_seat(folder, city, 2)
    damage(folder / DB_FILE)
    before = folder_bytes(folder)
    with pytest.raises(StoreError) as info:
        Store.open(folder, seat_code="S001")
    assert isinstance(info.value, errors.StoreMissing)
    assert (info.value.seat_id, info.value.seat_code) == (seat_id, "S017")
    assert info.value.empty is (damage is truncate)
    assert folder_bytes(folder) == before  # no new store was made in its place


def test_a_store_garbled_in_the_middle_is_refused_and_left_as_it_is(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 60)
    garble_middle(folder / DB_FILE)
    before = (folder / DB_FILE).read_bytes()
    with pytest.raises(StoreError) as info:
        Store.open(folder, seat_code="S017")
    assert isinstance(info.value, errors.StoreDamaged)
    assert info.value.kind == "corrupt" and info.value.problem
    assert (folder / DB_FILE).read_bytes() == before


def test_a_store_damaged_while_open_refuses_writes(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 60)
    seat = open_seat(folder)
    try:
        garble_middle(folder / DB_FILE)
        before = (folder / DB_FILE).read_bytes()
        # The first read of the damaged pages finds it.
        with pytest.raises(StoreError) as read_error, seat.store.read() as conn:
            conn.execute(select(schema.cases.c.content)).all()
        with pytest.raises(StoreError) as write_error:  # and nothing is written any more, even where pages look fine
            submit_case(seat.store, city, operator_id="1001", form=direct_form(city))
        assert isinstance(read_error.value, errors.StoreDamaged) and isinstance(write_error.value, errors.StoreDamaged)
        assert (folder / DB_FILE).read_bytes() == before
    finally:
        seat.close()


def test_a_store_of_another_seat_is_refused(tmp_path: Path, city: City) -> None:
    mine, other = tmp_path / "mine", tmp_path / "other"
    make_seat(mine, city, 1, code="S017")
    make_seat(other, city, 1, code="S018")
    shutil.copyfile(other / DB_FILE, mine / DB_FILE)
    # Encrypted with the other seat's key, the file cannot even be read here.
    with pytest.raises(StoreError, match="not this seat's key") as info:
        Store.open(mine, seat_code="S017")
    assert isinstance(info.value, errors.StoreDamaged)
    # Copied with its key reference (both seats' keys are in this account's key folder), it is read and refused.
    shutil.copyfile(other / KEY_REF_FILE, mine / KEY_REF_FILE)
    with pytest.raises(StoreError, match="S018") as info:
        Store.open(mine, seat_code="S017")
    assert isinstance(info.value, errors.StoreDamaged)
    assert info.value.kind == "other_seat"


def test_seat_id_and_code_survive_a_deleted_data_directory(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    seat_id, _ = make_seat(folder, city, 1, code="S033")
    shutil.rmtree(folder)
    folder.mkdir()
    with pytest.raises(StoreError) as info:
        open_seat(folder, seat_code="S001")
    assert isinstance(info.value, errors.StoreMissing)
    assert (info.value.seat_id, info.value.seat_code) == (seat_id, "S033")
    assert list(folder.iterdir()) == []


def _garble_keeping_the_clock(path: Path) -> None:
    """Damage as a failing disk does it: the bytes change, the size and the modification time do not."""
    st = path.stat()
    garble_middle(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_clean_close_lets_the_next_open_read_only_the_first_page(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 40)
    assert unchanged_since_verified(folder / DB_FILE)  # the clean close recorded the file as it is
    seat = open_seat(folder)
    try:
        assert not unchanged_since_verified(folder / DB_FILE)  # open for writing: a crash now means a full check
    finally:
        seat.close()
    assert unchanged_since_verified(folder / DB_FILE)


def test_a_store_changed_since_its_clean_close_gets_every_page_checked(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 40)
    garble_middle(folder / DB_FILE)  # another program wrote into it: its modification time moved
    with pytest.raises(errors.StoreDamaged):
        Store.open(folder, seat_code="S017")


def test_a_store_left_by_a_crash_gets_every_page_checked(tmp_path: Path, city: City) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 40)
    seat = open_seat(folder)
    seat.store._write_engine.dispose()  # the process dies: no clean close, nothing recorded
    seat.store._read_engine.dispose()
    _garble_keeping_the_clock(folder / DB_FILE)
    with pytest.raises(errors.StoreDamaged):
        Store.open(folder, seat_code="S017")

"""The SQLite store: durable WAL settings, migrations, a newer schema refused, rotating backups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from contract.city.model import City
from operator_app.errors import StoreError
from operator_app.seat import Seat, open_seat
from operator_app.services.intake import submit_case
from operator_app.store.backup import take_backup
from operator_app.store.database import SCHEMA_HEAD, Store, connect_sqlite
from operator_app.store.migrate import head_revision
from operator_app.store.schema import metadata
from tests.core.helpers import direct_form


def test_schema_head_constant_matches_alembic() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_migrated_schema_matches_the_table_definitions(seat: Seat) -> None:
    with seat.store._write_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_a_store_of_the_first_schema_is_upgraded_with_its_cases_kept(tmp_path: Path, city: City) -> None:
    old = open_seat(tmp_path, seat_code="S001")
    number = submit_case(old.store, city, operator_id="1001", form=direct_form(city)).number
    old.close()
    con = connect_sqlite(tmp_path / "seat.sqlite")  # as the first release left it
    con.execute("DROP INDEX ix_outbox_entity_id")
    con.execute("DROP TABLE quarantine")  # migration 0004_quarantine
    con.execute("UPDATE alembic_version SET version_num = '0001'")
    con.commit()
    con.close()
    again = open_seat(tmp_path, seat_code="S001")
    with again.store.read() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == SCHEMA_HEAD
        indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(outbox)")}
        assert "ix_outbox_entity_id" in indexes
        assert conn.exec_driver_sql("SELECT number FROM cases").scalars().all() == [number]
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar() == 1
    again.close()


def test_wal_and_full_sync(seat: Seat) -> None:
    with seat.store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_seat_identity_is_made_once(tmp_path: Path) -> None:
    first = open_seat(tmp_path, seat_code="S017")
    seat_id = first.store.seat.seat_id
    first.close()
    again = open_seat(tmp_path, seat_code="S999")
    assert (again.store.seat.seat_id, again.store.seat.seat_code) == (seat_id, "S017")
    again.close()


def test_store_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    open_seat(tmp_path).close()
    con = connect_sqlite(tmp_path / "seat.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store.open(tmp_path, seat_code="S001")


def test_garbage_file_gives_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "seat.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        Store.open(tmp_path, seat_code="S001")


def test_backups_are_consistent_and_rotate(seat: Seat, city: City) -> None:
    submit_case(seat.store, city, form=direct_form(city), operator_id="1001")
    start = datetime(2026, 11, 28, tzinfo=UTC)
    made = [take_backup(seat.store.path, keep=3, now=start + timedelta(minutes=i)) for i in range(5)]
    kept = sorted((seat.store.path.parent / "backups").glob("*.sqlite"))
    assert kept == made[-3:]
    con = connect_sqlite(kept[-1])
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    con.close()

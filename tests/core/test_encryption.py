"""Personal data at rest: the seat store, its backups and the embedded server's database are SQLCipher files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select

from central_server.core.config import Settings
from central_server.db.engine import make_engine
from central_server.db.models import User
from central_server.embedded import start_in_thread
from contract.city.model import City
from operator_app.errors import StoreError
from operator_app.private_files import KEYS, PRIVATE_DIR_ENV
from operator_app.seat import open_seat
from operator_app.services.intake import submit_case
from operator_app.store.backup import take_backup
from operator_app.store.database import DB_FILE, Store, connect_sqlite
from operator_app.store.keys import (
    KEY_REF_FILE,
    DatabaseKeyError,
    KeyLocation,
    KeyMissingError,
    Purpose,
    database_key,
)
from sync.embedded import CENTRAL_DB, DEMO_PASSWORD, start_embedded_server
from sync.engine import SyncEngine
from sync.http_client import ServerClient
from sync.secrets import SecretStore
from tests.core.helpers import dispatch_form
from tests.keyrings import MemoryKeyring

NAME, PHONE, CONTENT = "欧阳秀兰", "13912345678", "井盖缺失夜间行人跌倒"
PLAIN_HEADER = b"SQLite format 3\x00"


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No keyring on this machine (as in CI): keys go to files in a folder of this test's own."""
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "config"))
    return tmp_path / "config" / KEYS


def _submit(seat_dir: Path, city: City, n: int = 1) -> list[str]:
    seat = open_seat(seat_dir, seat_code="S001")
    try:
        return [submit_case(seat.store, city, operator_id="1001",
                            form=dispatch_form(city, caller_name=NAME, phone=PHONE, content=f"{CONTENT}{i}")).number
                for i in range(n)]
    finally:
        seat.close()


def _data_files(folder: Path) -> list[Path]:
    """The files that hold the seat's data; the knowledge base (public articles) may stay plain."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix != ".json" and not p.name.startswith("kb.sqlite"))


def _assert_unreadable(path: Path) -> None:
    """What someone with the file and the sqlite3 tools (but not the seat's OS account) can see: nothing."""
    blob = path.read_bytes()
    assert not blob.startswith(PLAIN_HEADER), f"{path.name} is a plain SQLite file"
    for text in (NAME, PHONE, CONTENT, "S001"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert text.encode(encoding) not in blob, f"{text!r} readable in {path.name}"
    if path.suffix == ".sqlite":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            con.execute("SELECT name FROM sqlite_master").fetchall()
        con.close()
        if shutil.which("sqlite3"):
            shown = subprocess.run(["sqlite3", "-readonly", str(path), ".dump"], capture_output=True, text=True,
                                   timeout=30)
            assert PHONE not in shown.stdout and "CREATE TABLE" not in shown.stdout
            assert "not a database" in shown.stdout + shown.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_backup_and_embedded_database_show_no_readable_content(tmp_path: Path, city: City,
                                                                     key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    seat = open_seat(data_dir, seat_code="S001")
    server = start_embedded_server(data_dir)
    try:
        submit_case(seat.store, city, operator_id="1001",
                    form=dispatch_form(city, caller_name=NAME, phone=PHONE, content=CONTENT))
        engine = SyncEngine(seat.store, ServerClient(server.url), SecretStore(None))
        engine.login("1001", DEMO_PASSWORD)
        assert engine.run_once().acked == 1  # the case is in central.sqlite too
        backup = take_backup(seat.store.path)
        files = _data_files(data_dir)
        names = {p.name for p in files}
        assert {DB_FILE, f"{DB_FILE}-wal", CENTRAL_DB, f"{CENTRAL_DB}-wal", backup.name} <= names
        for path in files:
            if path.name.endswith("-shm"):  # the WAL index: page numbers and checksums, no page content
                continue
            _assert_unreadable(path)
        for path in files:
            assert _mode(path) == 0o600, f"{path.name} is {oct(_mode(path))}"
        assert _mode(backup.parent) == 0o700
    finally:
        server.stop()
        seat.close()
    # With the key, everything is there.
    con = connect_sqlite(backup, readonly=True)
    assert con.execute("SELECT caller_name, phone FROM cases").fetchall() == [(NAME, PHONE)]
    con.close()


def _plain_copy(encrypted: Path, key_hex: str, plain: Path) -> None:
    """The same database as a plain SQLite file: the format every version before encryption wrote."""
    import sqlcipher3.dbapi2 as sqlcipher

    con = sqlcipher.connect(str(encrypted))
    con.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    con.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(plain),))
    con.execute("SELECT sqlcipher_export('plaintext')")
    con.execute("DETACH DATABASE plaintext")
    con.close()
    os.chmod(plain, 0o644)


def test_a_plain_store_and_its_backups_are_encrypted_in_place_with_every_case_kept(tmp_path: Path, city: City,
                                                                                   key_dir: Path) -> None:
    made = tmp_path / "made"
    numbers = _submit(made, city, 3)
    key = database_key(made, Purpose.SEAT_STORE, create=False)
    # Today's seat: a plain store in WAL mode whose last case is still in the -wal file, a plain backup, 0644.
    old = tmp_path / "old"
    (old / "backups").mkdir(parents=True)
    _plain_copy(made / DB_FILE, key.raw.hex(), old / "backups" / "seat-20261201T000000000000Z.sqlite")
    _plain_copy(made / DB_FILE, key.raw.hex(), tmp_path / "plain.sqlite")
    writer = sqlite3.connect(tmp_path / "plain.sqlite")
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE cases SET content = '只在WAL里的改动' WHERE number = ?", (numbers[0],))
    writer.commit()
    for suffix in ("", "-wal", "-shm"):  # copied while open: as a seat that was switched off mid-work
        shutil.copyfile(tmp_path / f"plain.sqlite{suffix}", old / f"{DB_FILE}{suffix}")
        os.chmod(old / f"{DB_FILE}{suffix}", 0o644)
    writer.close()
    assert (old / DB_FILE).read_bytes().startswith(PLAIN_HEADER)
    with sqlite3.connect(old / DB_FILE) as con:
        seat_id = con.execute("SELECT seat_id FROM seat").fetchone()[0]

    seat = open_seat(old)
    try:
        assert seat.store.seat.seat_id == seat_id
        with seat.store.read() as conn:
            kept = dict(conn.exec_driver_sql("SELECT number, content FROM cases").all())
        assert sorted(kept) == sorted(numbers)
        assert kept[numbers[0]] == "只在WAL里的改动"
    finally:
        seat.close()
    backup = old / "backups" / "seat-20261201T000000000000Z.sqlite"
    for path in (old / DB_FILE, backup):
        _assert_unreadable(path)
        assert _mode(path) == 0o600
    con = connect_sqlite(backup, readonly=True)
    assert sorted(r[0] for r in con.execute("SELECT number FROM cases")) == sorted(numbers)
    con.close()
    assert not list(old.rglob("*.encrypting"))
    assert {p.name for p in old.iterdir()} >= {DB_FILE, KEY_REF_FILE, "backups"}


def test_a_damaged_plain_backup_does_not_keep_the_store_from_opening(tmp_path: Path, city: City,
                                                                   key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    numbers = _submit(data_dir, city)
    broken = data_dir / "backups" / "seat-20261201T000000000000Z.sqlite"
    broken.parent.mkdir()
    broken.write_bytes(PLAIN_HEADER + b"\x10\x00" + b"garbage" * 500)
    seat = open_seat(data_dir)
    try:
        with seat.store.read() as conn:
            assert conn.exec_driver_sql("SELECT number FROM cases").scalars().all() == numbers
    finally:
        seat.close()
    assert broken.read_bytes().startswith(PLAIN_HEADER)  # left for a person to look at, tried again next start
    assert not list(broken.parent.glob("*.encrypting"))


def test_a_plain_embedded_server_database_is_encrypted_in_place(tmp_path: Path, key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    data_dir.mkdir()
    plain_url = f"sqlite:///{data_dir / CENTRAL_DB}"
    start_in_thread(plain_url, settings=Settings(access_log=False)).stop()  # as the embedded server made it
    assert (data_dir / CENTRAL_DB).read_bytes().startswith(PLAIN_HEADER)
    engine = make_engine(plain_url)
    with engine.connect() as conn:
        users = conn.execute(select(func.count()).select_from(User)).scalar_one()
    engine.dispose()
    assert users > 0

    server = start_embedded_server(data_dir)
    server.stop()
    assert not (data_dir / CENTRAL_DB).read_bytes().startswith(PLAIN_HEADER)
    assert _mode(data_dir / CENTRAL_DB) == 0o600
    key = database_key(data_dir, Purpose.CENTRAL, create=False)
    assert key != database_key(data_dir, Purpose.SEAT_STORE, create=True)  # its own key
    engine = make_engine(plain_url, sqlite_key=key.raw.hex())
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == users
    engine.dispose()


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_a_lost_key_is_a_clear_error_and_the_data_is_left_untouched(tmp_path: Path, city: City,
                                                                    key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    _submit(data_dir, city)
    take_backup(data_dir / DB_FILE)
    start_embedded_server(data_dir).stop()
    before = _snapshot(data_dir)
    for key_file in key_dir.iterdir():
        key_file.unlink()
    with pytest.raises(KeyMissingError, match="找不到.*密钥"):
        Store.open(data_dir, seat_code="S001")
    with pytest.raises(KeyMissingError, match="找不到.*密钥"):
        start_embedded_server(data_dir)
    with pytest.raises(KeyMissingError, match="找不到.*密钥"):
        connect_sqlite(data_dir / DB_FILE)
    assert _snapshot(data_dir) == before


def test_a_wrong_key_is_refused_and_the_store_left_untouched(tmp_path: Path, city: City, key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    _submit(data_dir, city)
    before = _snapshot(data_dir)
    [key_file] = key_dir.iterdir()
    key_file.write_text(os.urandom(32).hex(), encoding="ascii")
    with pytest.raises(StoreError, match="not this seat's key"):
        Store.open(data_dir, seat_code="S001")
    assert _snapshot(data_dir) == before


def test_a_store_whose_key_record_is_gone_is_not_replaced(tmp_path: Path, city: City, key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    _submit(data_dir, city)
    (data_dir / KEY_REF_FILE).unlink()
    before = _snapshot(data_dir)
    with pytest.raises(KeyMissingError, match=KEY_REF_FILE):
        Store.open(data_dir, seat_code="S001")
    assert _snapshot(data_dir) == before


def test_without_a_keyring_the_key_file_is_private_and_outside_the_data_dir(tmp_path: Path, city: City,
                                                                           key_dir: Path) -> None:
    data_dir = tmp_path / "seat"
    _submit(data_dir, city)
    seat = open_seat(data_dir)
    assert seat.store.key_location is KeyLocation.FILE
    seat.close()
    [key_file] = key_dir.iterdir()
    assert _mode(key_file) == 0o600 and _mode(key_dir) == 0o700
    assert data_dir not in key_file.parents
    key_hex = key_file.read_text(encoding="ascii").strip()
    for path in data_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert key_hex.encode() not in blob and bytes.fromhex(key_hex) not in blob, path.name


def test_a_key_folder_inside_the_data_dir_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "seat"))  # keys would go to seat/keys
    with pytest.raises(DatabaseKeyError, match="数据目录之内"):
        Store.open(tmp_path / "seat", seat_code="S001")
    assert not (tmp_path / "seat" / DB_FILE).exists()


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    yield backend


def test_with_a_keyring_the_key_is_kept_there_and_nowhere_on_disk(tmp_path: Path, city: City, key_dir: Path,
                                                                  memory_keyring: MemoryKeyring) -> None:
    data_dir = tmp_path / "seat"
    numbers = _submit(data_dir, city)
    seat = open_seat(data_dir)
    try:
        assert seat.store.key_location is KeyLocation.KEYRING
        with seat.store.read() as conn:
            assert conn.exec_driver_sql("SELECT number FROM cases").scalars().all() == numbers
    finally:
        seat.close()
    assert not key_dir.exists()
    # The keyring holds the store's key (and the seat's identity copy, operator_app/store/identity.py).
    [(service, _name)] = [item for item in memory_keyring.items if item[1].startswith("db-key:")]
    assert service == "operator-desk"
    _assert_unreadable(data_dir / DB_FILE)

"""`operator-app` on a damaged or lost store: clear words and a non-zero exit, never a traceback or a write;
`store check` and `store restore` for administrators."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contract.city.model import City
from operator_app.cli import main
from operator_app.store.backup import take_backup
from operator_app.store.database import DB_FILE
from tests.core.helpers import direct_form
from tests.core.test_store_integrity import delete, folder_bytes, garble_middle, make_seat, truncate

EXIT_STORE_PROBLEM = 4  # the README's exit code for a damaged or missing store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def case_file(tmp_path: Path, city: City) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(direct_form(city).to_dict(), ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("damage", [delete, truncate, garble_middle], ids=["deleted", "truncated", "garbled"])
def test_commands_on_a_damaged_store_say_so_and_write_nothing(tmp_path: Path, city: City, case_file: str,
                                                             damage: Callable[[Path], None],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 60)
    damage(folder / DB_FILE)
    before = folder_bytes(folder)
    for argv in (("case", "new", "--json", case_file, "--operator", "1001"), ("case", "list"), ("outbox",),
                 ("outbox", "--json")):
        code, out, err = run(capsys, "--data-dir", str(folder), *argv)
        assert code == EXIT_STORE_PROBLEM, argv
        assert out == "" and "store restore" in err and "Traceback" not in err
        assert ("damaged" if damage is garble_middle else "missing" if damage is delete else "empty") in err
    after = folder_bytes(folder)
    # A read-only look at a WAL-mode file may leave an empty -wal and its index beside it; the store is untouched.
    assert {k: v for k, v in after.items() if not k.endswith(("-wal", "-shm"))} == before
    assert all(v == b"" for k, v in after.items() if k.endswith("-wal"))


def test_store_check_good_then_damaged(tmp_path: Path, city: City, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "seat"
    seat_id, _ = make_seat(folder, city, 3)
    take_backup(folder / DB_FILE, now=datetime(2026, 11, 28, 8, tzinfo=UTC))
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["state"] == "good" and (report["cases"], report["pending"]) == (3, 3)
    assert report["seat_id"] == seat_id and report["seat_code"] == "S017"
    assert [(b["good"], b["cases"], b["taken_at"]) for b in report["backups"]] == \
        [(True, 3, "2026-11-28T08:00:00+00:00")]
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "check")
    assert code == 0 and "passes its check" in out and "cases: 3, pending sync: 3" in out

    garble_middle(folder / DB_FILE)
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "check")
    assert code == EXIT_STORE_PROBLEM and "DAMAGED" in out and "store restore" in out and "S017" in out
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "check", "--json")
    assert code == EXIT_STORE_PROBLEM and json.loads(out)["state"] == "damaged"


def test_store_check_of_a_new_data_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "never-used"), "store", "check", "--json")
    assert code == 0 and json.loads(out)["state"] == "new"


def test_store_restore_puts_the_newest_good_backup_in_place(tmp_path: Path, city: City, case_file: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "seat"
    make_seat(folder, city, 2)
    start = datetime(2026, 11, 28, 8, tzinfo=UTC)
    older = take_backup(folder / DB_FILE, now=start)
    assert run(capsys, "--data-dir", str(folder), "case", "new", "--json", case_file, "--operator", "1001")[0] == 0
    newest = take_backup(folder / DB_FILE, now=start + timedelta(hours=1))
    garble_middle(take_backup(folder / DB_FILE, now=start + timedelta(hours=2)))
    truncate(folder / DB_FILE)
    code, out, err = run(capsys, "--data-dir", str(folder), "store", "restore")
    assert code == 0, err
    assert f"restored {newest}" in out and "3 cases" in out and "moved aside:" in out
    assert json.loads(run(capsys, "--data-dir", str(folder), "outbox", "--json")[1])["pending"] == 3
    code, _, err = run(capsys, "--data-dir", str(folder), "store", "restore", older.name)
    assert code == 1 and "passes its check" in err and "--force" in err
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "restore", older.name, "--force")
    assert code == 0 and "2 cases" in out
    code, out, _ = run(capsys, "--data-dir", str(folder), "case", "list")
    assert code == 0 and len(out.splitlines()) == 2


def test_store_restore_refuses_a_damaged_backup_and_can_start_empty(tmp_path: Path, city: City,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "seat"
    seat_id, _ = make_seat(folder, city, 60)
    bad = take_backup(folder / DB_FILE)
    garble_middle(bad)
    delete(folder / DB_FILE)
    code, _, err = run(capsys, "--data-dir", str(folder), "store", "restore")
    assert code == 1 and "no backup" in err
    code, _, err = run(capsys, "--data-dir", str(folder), "store", "restore", bad.name)
    assert code == 1 and "cannot be restored" in err
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "restore", "--empty")
    assert code == 0 and "S017" in out and seat_id in out
    code, out, _ = run(capsys, "--data-dir", str(folder), "outbox", "--json")
    assert code == 0 and json.loads(out)["seat_id"] == seat_id and json.loads(out)["pending"] == 0


def test_store_check_and_restore_print_the_citys_time(tmp_path: Path, city: City,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The desk shows the city's wall clock; so do the administrator's commands, with the zone (JSON stays ISO)."""
    folder = tmp_path / "seat"
    make_seat(folder, city, 1)
    taken = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # the next day in an eastern city
    take_backup(folder / DB_FILE, now=taken)
    local = taken.astimezone(ZoneInfo(city.timezone)).isoformat(sep=" ", timespec="seconds")
    code, out, _ = run(capsys, "--data-dir", str(folder), "store", "check")
    assert code == 0 and f"{local} ({city.timezone})" in out and " UTC" not in out, out
    truncate(folder / DB_FILE)
    code, out, err = run(capsys, "--data-dir", str(folder), "store", "restore")
    assert code == 0, err
    assert f"taken {local} ({city.timezone})" in out and " UTC" not in out, out

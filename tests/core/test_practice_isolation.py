"""A whole practice session leaves the real store exactly as it was: every row of every table, its files, its
outbox and its day counter."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.case_fields import CaseInput
from contract.city.model import City
from contract.errors import ValidationErrors
from operator_app.errors import SyncError, SyncErrorKind
from operator_app.paths import resources_dir
from operator_app.practice import (
    PracticeStore,
    available_scenarios,
    history,
    refresh_library,
    submit_practice,
    upload_pending,
)
from operator_app.seat import Seat
from operator_app.services.intake import submit_case
from operator_app.store.database import DB_FILE
from tests.core.helpers import dispatch_form
from tests.core.practice_helpers import FakeServer, demo_scenarios, published, right_form, weights

START = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def _dump(seat: Seat) -> dict[str, list[tuple[Any, ...]]]:
    with seat.store.read() as conn:
        names = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return {name: sorted(tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))  # noqa: S608
                for name in names}


def _files(folder: Path) -> dict[str, tuple[int, int, str]]:
    """The real store's files (not -shm, which readers write): modification time, size and digest."""
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.glob(DB_FILE + "*")) if not p.name.endswith("-shm")}


def test_a_practice_session_leaves_the_real_store_untouched(seat: Seat, city: City) -> None:
    submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", now=START - timedelta(days=1))
    before, files_before = _dump(seat), _files(seat.data_dir)
    assert before["cases"] and before["outbox"]  # a real store with something in it
    assert DB_FILE in files_before

    first, second = demo_scenarios()[:2]
    server = FakeServer(city, scenarios=published([first, second]),
                        assignments=[{"id": "as-1", "title": "考试", "kind": "exam", "scenario_ids": [first.id],
                                      "time_limit_seconds": 120, "suggestions_off": True, "due_at": None,
                                      "created_by": "3001", "done": {}}])
    pstore = PracticeStore.open(seat.data_dir, seat_code=seat.store.seat.seat_code)
    try:
        assert refresh_library(pstore, server, trainee_id="1001").ok
        assert [s.id for s in available_scenarios(pstore, resources_dir())] == [first.id, second.id]
        numbers = []
        for i, scenario in enumerate((first, second, first)):
            numbers.append(submit_practice(
                pstore, city, scenario, right_form(scenario, city), trainee_id="1001",
                started_at=START + timedelta(minutes=i), seconds=90, cited=(), suggestions_shown=True,
                assignment_id=None, weights=weights(), now=START + timedelta(minutes=i, seconds=90)).number)
        with pytest.raises(ValidationErrors):
            submit_practice(pstore, city, first, right_form(first, city, phone="12"), trainee_id="1001",
                            started_at=START, seconds=30, cited=(), suggestions_shown=True, assignment_id=None,
                            weights=weights(), now=START + timedelta(minutes=5))
        numbers.append(submit_practice(
            pstore, city, first, CaseInput(category=first.key.category), trainee_id="1001", started_at=START,
            seconds=121, cited=(), suggestions_shown=False, assignment_id="as-1", weights=weights(),
            time_limit_seconds=120, validate=False, now=START + timedelta(minutes=6)).number)
        server.fail = SyncError(SyncErrorKind.NETWORK, "cannot reach the central server: ConnectionError")
        assert upload_pending(pstore, server).pending == 4
        server.fail = None
        assert upload_pending(pstore, server).sent == 4
        assert {r.state for r in history(pstore, "1001")} == {"sent"}
    finally:
        pstore.close()

    assert _dump(seat) == before
    assert _files(seat.data_dir) == files_before
    assert len(before["outbox"]) == 1  # only the real case's row, before and after
    assert all(n.startswith("练-S001-20261205-") for n in numbers)
    assert numbers == [f"练-S001-20261205-{i:04d}" for i in range(1, 5)]
    # The real day counter never moved: today's first real case still gets number 0001.
    real = submit_case(seat.store, city, form=dispatch_form(city), operator_id="1001", now=START + timedelta(hours=1))
    assert real.number == "S001-20261205-0001"

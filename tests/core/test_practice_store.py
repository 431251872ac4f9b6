"""The seat's practice store: numbers per day, the scenario cache, history, encryption, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contract.case_fields import CaseInput
from contract.city.model import City
from contract.errors import ValidationErrors
from operator_app.errors import AuthError, StoreError, SyncError, SyncErrorKind
from operator_app.paths import resources_dir
from operator_app.practice import (
    PRACTICE_FILE,
    PracticeStore,
    available_scenarios,
    cached_assignments,
    history,
    refresh_library,
    submit_practice,
)
from operator_app.practice import store as practice_tables
from operator_app.seat import Seat
from operator_app.store.encryption import PLAIN_HEADER, open_keyed
from operator_app.store.keys import Purpose, database_key
from tests.core.practice_helpers import FakeServer, demo_scenarios, published, right_form, weights

START = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in the demo city (Asia/Shanghai)


@pytest.fixture
def pstore(seat: Seat) -> Iterator[PracticeStore]:
    store = PracticeStore.open(seat.data_dir, seat_code=seat.store.seat.seat_code)
    yield store
    store.close()


def _submit(pstore: PracticeStore, city: City, form: CaseInput | None = None, *, trainee: str = "1001",
            now: datetime = START, validate: bool = True, assignment_id: str | None = None,
            seconds: float = 95.0) -> object:
    scenario = demo_scenarios()[0]
    return submit_practice(
        pstore, city, scenario, form if form is not None else right_form(scenario, city), trainee_id=trainee,
        started_at=now - timedelta(seconds=seconds), seconds=seconds, cited=(), suggestions_shown=True,
        assignment_id=assignment_id, weights=weights(), validate=validate, now=now)


def test_numbers_count_per_local_day_in_their_own_namespace(pstore: PracticeStore, city: City) -> None:
    first = _submit(pstore, city)
    second = _submit(pstore, city, now=START + timedelta(hours=1))
    # 16:30 UTC is already the next day in the city: its own sequence starts again at 1.
    next_day = _submit(pstore, city, now=datetime(2026, 12, 5, 16, 30, tzinfo=UTC))
    assert [first.number, second.number, next_day.number] == [  # type: ignore[attr-defined]
        "练-S001-20261205-0001", "练-S001-20261205-0002", "练-S001-20261206-0001"]


def test_a_right_answer_scores_full_marks_and_is_kept_pending(pstore: PracticeStore, city: City) -> None:
    result = _submit(pstore, city)
    assert result.score.total == 100.0  # type: ignore[attr-defined]
    [row] = history(pstore, "1001")
    assert row.id == result.attempt_id and row.state == "pending"  # type: ignore[attr-defined]
    assert not row.server_scored and row.total == 100.0
    assert row.answers == right_form(demo_scenarios()[0], city)
    assert row.scenario.id == "demo-env-001"


def test_an_invalid_form_raises_and_writes_nothing(pstore: PracticeStore, city: City) -> None:
    scenario = demo_scenarios()[0]
    with pytest.raises(ValidationErrors) as caught:
        _submit(pstore, city, right_form(scenario, city, category="环境保护", phone=""))
    assert {e.field for e in caught.value.errors} >= {"category", "phone"}
    assert history(pstore, "1001") == []
    assert _submit(pstore, city).number.endswith("-0001")  # type: ignore[attr-defined]  # no number was used


def test_an_exam_out_of_time_scores_the_raw_form(pstore: PracticeStore, city: City) -> None:
    scenario = demo_scenarios()[0]
    half_done = CaseInput(category=scenario.key.category, appeal_type="complaint")  # would fail validation
    result = _submit(pstore, city, half_done, validate=False, seconds=400)
    score = result.score  # type: ignore[attr-defined]
    assert score.field("category").right and not score.field("lead_department").right
    assert score.over_time and 0 < score.total < 100
    assert history(pstore, "1001")[0].answers == half_done


def test_an_exam_time_limit_replaces_the_scenario_one(pstore: PracticeStore, city: City) -> None:
    scenario = demo_scenarios()[0]
    result = submit_practice(pstore, city, scenario, right_form(scenario, city), trainee_id="1001",
                             started_at=START, seconds=200, cited=(), suggestions_shown=False,
                             assignment_id="a1", weights=weights(), time_limit_seconds=120, now=START)
    assert result.score.over_time and result.score.field("time").expected == "120"
    assert history(pstore, "1001")[0].time_limit_seconds == 120


def test_a_trainer_cannot_practise(pstore: PracticeStore, city: City) -> None:
    with pytest.raises(AuthError):
        _submit(pstore, city, trainee="3001")
    with pytest.raises(AuthError):
        _submit(pstore, city, trainee="9999")


def test_history_is_the_trainees_own_newest_first_and_limited(pstore: PracticeStore, city: City) -> None:
    numbers = [_submit(pstore, city, now=START + timedelta(minutes=i)).number for i in range(4)]  # type: ignore[attr-defined]
    _submit(pstore, city, trainee="1002", now=START + timedelta(minutes=9))
    assert [r.number for r in history(pstore, "1001")] == numbers[::-1]
    assert [r.number for r in history(pstore, "1001", limit=2)] == numbers[:1:-1]
    assert [r.trainee_id for r in history(pstore, "1002")] == ["1002"]


def test_without_a_cache_the_demo_scenarios_are_offered(pstore: PracticeStore) -> None:
    assert [s.id for s in available_scenarios(pstore, resources_dir())] == [s.id for s in demo_scenarios()]


def test_a_refresh_replaces_the_cache_and_a_failed_one_keeps_it(pstore: PracticeStore, city: City) -> None:
    first, second = demo_scenarios()[:2]
    server = FakeServer(city, scenarios=published([replace(first, id="srv-1", version=3),
                                                   replace(second, id="srv-2")]),
                        assignments=[{"id": "as-1", "title": "噪音练习", "kind": "exercise",
                                      "scenario_ids": ["srv-1", "srv-2"], "time_limit_seconds": None,
                                      "suggestions_off": False, "due_at": None, "created_by": "3001",
                                      "done": {"srv-2": 60.0}}])
    report = refresh_library(pstore, server, trainee_id="1001")
    assert report.ok and (report.scenarios, report.assignments) == (2, 1)
    offered = available_scenarios(pstore, resources_dir())
    assert [(s.id, s.version) for s in offered] == [("srv-1", 3), ("srv-2", 1)]
    [assignment] = cached_assignments(pstore, "1001")
    assert assignment.scenario_ids == ("srv-1", "srv-2") and assignment.done == {"srv-2": 60.0}
    assert cached_assignments(pstore, "1002") == []

    server.scenarios = published([replace(second, id="srv-2", version=2)])
    server.assignments = []
    assert refresh_library(pstore, server, trainee_id="1001").ok
    assert [(s.id, s.version) for s in available_scenarios(pstore, resources_dir())] == [("srv-2", 2)]
    assert cached_assignments(pstore, "1001") == []

    server.fail = SyncError(SyncErrorKind.NETWORK, "cannot reach the central server: ConnectionError")
    failed = refresh_library(pstore, server, trainee_id="1001")
    assert not failed.ok and "中心服务器" in (failed.error or "")
    assert [s.id for s in available_scenarios(pstore, resources_dir())] == ["srv-2"]


def test_a_scenario_this_version_cannot_read_is_left_out(pstore: PracticeStore, city: City) -> None:
    good = demo_scenarios()[0]
    broken = {**published([good])[0], "id": "bad", "lines": []}
    report = refresh_library(pstore, FakeServer(city, scenarios=[broken, *published([good])]), trainee_id="1001")
    assert report.skipped == ("bad",)
    assert [s.id for s in available_scenarios(pstore, resources_dir())] == [good.id]


def test_local_attempts_raise_an_assignments_done(pstore: PracticeStore, city: City) -> None:
    scenario = demo_scenarios()[0]
    server = FakeServer(city, scenarios=published([scenario]),
                        assignments=[{"id": "as-1", "title": "练习", "kind": "exam", "scenario_ids": [scenario.id],
                                      "time_limit_seconds": 240, "suggestions_off": True, "due_at": None,
                                      "created_by": "3001", "done": {}}])
    refresh_library(pstore, server, trainee_id="1001")
    _submit(pstore, city, assignment_id="as-1")
    [assignment] = cached_assignments(pstore, "1001")
    assert assignment.is_exam and assignment.suggestions_off and assignment.time_limit_seconds == 240
    assert assignment.done == {scenario.id: 100.0}


def test_the_file_is_encrypted_with_the_stores_key(seat: Seat, city: City) -> None:
    pstore = PracticeStore.open(seat.data_dir, seat_code="S001")
    scenario = demo_scenarios()[0]
    typed = "独一无二的练习姓名"
    submit_practice(pstore, city, scenario, right_form(scenario, city, caller_name=typed, phone="13712345678",
                                                      address="枫林新村九十九栋"),
                    trainee_id="1001", started_at=START, seconds=60, cited=(), suggestions_shown=True,
                    assignment_id=None, weights=weights(), now=START)
    pstore.close()
    path = seat.data_dir / PRACTICE_FILE
    raw = b"".join(p.read_bytes() for p in path.parent.glob(PRACTICE_FILE + "*"))
    assert not path.read_bytes().startswith(PLAIN_HEADER)
    for text in (typed, "13712345678", "枫林新村九十九栋", "练-S001"):
        assert text.encode() not in raw
    con = open_keyed(path, database_key(seat.data_dir, Purpose.SEAT_STORE, create=False), readonly=True)
    try:
        assert con.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1
    finally:
        con.close()


def test_a_store_written_by_a_newer_version_is_refused(pstore: PracticeStore, tmp_path: Path) -> None:
    with pstore.write() as conn:
        conn.execute(practice_tables.meta.update().where(practice_tables.meta.c.key == "schema_version")
                     .values(value=str(practice_tables.SCHEMA_VERSION + 1)))
    pstore.close()
    with pytest.raises(StoreError, match="更新版本"):
        PracticeStore.open(pstore.path.parent, seat_code="S001")

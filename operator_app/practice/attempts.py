"""A practice attempt: validated like a real case, scored against the scenario's key, numbered 练-… and kept in the
practice store until the server has it. Nothing here opens the real store."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from contract.case_fields import CaseInput, validate_case
from contract.case_number import format_practice_number
from contract.city.model import City
from contract.practice.scenario import Scenario
from contract.practice.scoring import Score, Weights, score_attempt
from contract.roles import PRACTICE, may, role_label
from operator_app.errors import AuthError
from operator_app.ids import new_uuid
from operator_app.practice import store as t
from operator_app.practice.store import PracticeStore


@dataclass(frozen=True)
class PracticeResult:
    attempt_id: str
    number: str  # 练-S001-20261205-0003
    score: Score  # as scored on this seat; the server's replaces it once sent (history shows which)


@dataclass(frozen=True)
class AttemptRow:
    """One attempt as the practice store holds it. `score` is the server's when it has answered, else this
    seat's (`server_scored` says which). `state`: pending (not sent yet), sent, refused (`last_error` says why;
    never sent again)."""

    id: str
    number: str
    trainee_id: str
    scenario: Scenario  # as played
    assignment_id: str | None
    answers: CaseInput
    cited: tuple[str, ...]
    score: Score
    server_scored: bool
    seconds: float
    time_limit_seconds: int
    suggestions_shown: bool
    started_at: str
    submitted_at: str
    state: str
    last_error: str

    @property
    def total(self) -> float:
        return self.score.total


def check_practice(city: City, trainee_id: str) -> None:
    """The trainee may practise (operators and team leads), else AuthError: the server would refuse the attempt."""
    person = city.roster.get(trainee_id)
    if person is None:
        raise AuthError(f"工号 {trainee_id} 不在本座席的人员名单中，不能练习")
    if not may(person.role, PRACTICE):
        raise AuthError(f"{role_label(person.role)}（工号 {trainee_id}）没有练习权限")


def submit_practice(
    pstore: PracticeStore, city: City, scenario: Scenario, form: CaseInput, *, trainee_id: str,
    started_at: datetime, seconds: float, cited: tuple[str, ...], suggestions_shown: bool,
    assignment_id: str | None, weights: Weights, time_limit_seconds: int | None = None, validate: bool = True,
    now: datetime | None = None,
) -> PracticeResult:
    """Score and keep one attempt; it waits in the practice store as pending until `upload_pending` sends it.

    `validate=True` checks the form exactly as a real case's submit does and raises ValidationErrors (nothing
    written); `validate=False` is for an exam whose time ran out: the form is scored as it stands. The number is
    练-<seat>-<local day>-<seq> from the practice store's own day sequence. `time_limit_seconds` (an exam's or an
    exercise's own limit) replaces the scenario's when scoring the time. Raises AuthError for a person who may not
    practise."""
    check_practice(city, trainee_id)
    if validate:
        validate_case(form, city)
    limit = time_limit_seconds if time_limit_seconds and time_limit_seconds > 0 else scenario.time_limit_seconds
    played = replace(scenario, time_limit_seconds=limit)
    spent = max(0.0, float(seconds))
    unique_cited = tuple(dict.fromkeys(c for c in cited if c))
    score = score_attempt(played, form, city, seconds=spent, weights=weights, cited=unique_cited)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    local_day = at.astimezone(ZoneInfo(city.timezone)).date()
    attempt_id = new_uuid()
    with pstore.write() as conn:
        seq = _next_seq(conn, local_day.strftime("%Y%m%d"))
        number = format_practice_number(pstore.seat_code, local_day, seq)
        conn.execute(insert(t.attempts).values(
            id=attempt_id, trainee_id=trainee_id, scenario_id=scenario.id, scenario_version=scenario.version,
            scenario_json=json.dumps(played.to_dict(), ensure_ascii=False), assignment_id=assignment_id or None,
            number=number, answers_json=json.dumps(form.to_dict(), ensure_ascii=False),
            cited_json=json.dumps(list(unique_cited)), local_score_json=json.dumps(score.to_dict(), ensure_ascii=False),
            server_score_json=None, seconds=spent, time_limit_seconds=limit, suggestions_shown=suggestions_shown,
            validated=validate, started_at=_iso(started_at), submitted_at=_iso(at), state="pending", last_error="",
            tries=0, sent_at=None))
    return PracticeResult(attempt_id, number, score)


def history(pstore: PracticeStore, trainee_id: str, limit: int = 50) -> list[AttemptRow]:
    """The trainee's attempts on this seat, newest first."""
    with pstore.read() as conn:
        rows = conn.execute(select(t.attempts).where(t.attempts.c.trainee_id == trainee_id)
                            .order_by(t.attempts.c.submitted_at.desc(), t.attempts.c.number.desc())
                            .limit(max(0, limit))).all()
    return [_row(r) for r in rows]


def attempt(pstore: PracticeStore, attempt_id: str) -> AttemptRow | None:
    with pstore.read() as conn:
        row = conn.execute(select(t.attempts).where(t.attempts.c.id == attempt_id)).first()
    return None if row is None else _row(row)


def _row(r: object) -> AttemptRow:
    get = r._mapping  # type: ignore[attr-defined]
    server = get["server_score_json"]
    return AttemptRow(
        id=get["id"], number=get["number"], trainee_id=get["trainee_id"],
        scenario=Scenario.from_dict(json.loads(get["scenario_json"])), assignment_id=get["assignment_id"],
        answers=CaseInput.from_mapping(json.loads(get["answers_json"])), cited=tuple(json.loads(get["cited_json"])),
        score=Score.from_dict(json.loads(server or get["local_score_json"])), server_scored=server is not None,
        seconds=float(get["seconds"]), time_limit_seconds=int(get["time_limit_seconds"]),
        suggestions_shown=bool(get["suggestions_shown"]), started_at=get["started_at"],
        submitted_at=get["submitted_at"], state=get["state"], last_error=get["last_error"])


def _next_seq(conn: Connection, day: str) -> int:
    current = conn.execute(select(t.practice_days.c.last_seq).where(t.practice_days.c.day == day)).scalar()
    if current is None:
        conn.execute(insert(t.practice_days).values(day=day, last_seq=1))
        return 1
    conn.execute(update(t.practice_days).where(t.practice_days.c.day == day).values(last_seq=int(current) + 1))
    return int(current) + 1


def _iso(moment: datetime) -> str:
    # A naive time is this machine's local time (Python's reading of one).
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")

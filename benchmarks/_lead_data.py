"""Generated workbench data for the lead benchmarks: teams of operators with their seats, N cases over D days with
hotline-shaped arrivals (case rows, the KPI projection rows of services/kpi_projection.py and the departments each
case went to) and the telephony system's call records, loaded into PostgreSQL with COPY.

    with postgres_database() as (url, _):
        data = generate(url, cases=1_200_000, days=30)

Cases carry no events and no texts: a benchmark that needs them passes `fields_for` (the case's `fields`) and
writes its own. Everything follows from `seed`.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from _common import log

from central_server.db.engine import make_engine, session_factory
from central_server.db.migrate import upgrade_to_head
from central_server.services.calls_simulate import HOURLY_SHAPE
from central_server.services.users import create_user

TZ = ZoneInfo("Asia/Shanghai")
DEPARTMENTS = ("zjj", "rsj", "ybj", "jyj", "sthjj", "cgj")
LEAD_PASSWORD = "bench-pass-1234"
CHUNK = 50_000
FieldsFor = Callable[[random.Random, int], dict[str, Any]]


@dataclass(frozen=True)
class LeadData:
    url: str
    teams: dict[str, list[str]]  # team -> operator ids
    leads: dict[str, str]  # team -> the lead's id (password LEAD_PASSWORD)
    cases: int
    calls: int
    start: datetime  # the first day's midnight, city time
    end: datetime  # `days` later
    load_seconds: float


def _fields(rng: random.Random, department: str, dispatched: bool) -> dict[str, Any]:
    return {"category": "城乡建设/物业管理/物业服务质量", "district": "donghu", "street": "", "urgency": "normal",
            "disposition": "dispatch" if dispatched else "direct",
            "lead_department": department if dispatched else "", "cooperating_departments": []}


def generate(url: str, *, cases: int = 1_200_000, days: int = 30, teams: int = 30, per_team: int = 12,
             calls_per_case: float = 1.1, seed: int = 1, end: datetime | None = None,
             fields_for: FieldsFor | None = None) -> LeadData:
    """Migrate the empty database at `url` and fill it; `end` defaults to today's midnight (city time)."""
    started = time.monotonic()
    engine = make_engine(url)
    upgrade_to_head(engine)
    end = end or datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    rng = random.Random(seed)
    roster = {f"T{t:02d}": [f"{t:02d}{i:03d}" for i in range(1, per_team + 1)] for t in range(1, teams + 1)}
    leads = {team: f"L{team[1:]}" for team in roster}
    with session_factory(engine)() as session:
        for team, lead in leads.items():  # real password hashes: the benchmark logs in as a lead
            create_user(session, username=lead, name=f"组长{team}", role="team_lead", password=LEAD_PASSWORD,
                        team=team)
    operators = [op for members in roster.values() for op in members]
    seat_of = {op: (str(uuid.uuid4()), f"B{i:04d}") for i, op in enumerate(operators)}
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            now = datetime.now(UTC)
            with cur.copy("COPY users (id, username, name, role, team, password_hash, active, created_at) "
                          "FROM STDIN") as copy:
                for team, members in roster.items():
                    for op in members:
                        copy.write_row((op, op, f"话务员{op}", "operator", team, "x", True, now))
            with cur.copy("COPY seats (id, seat_code, credential_hash, registered_by, registered_at, "
                          "last_applied_seq) FROM STDIN") as copy:
                for op, (seat_id, code) in seat_of.items():
                    copy.write_row((seat_id, code, "x" * 64, op, now, 0))
            log(f"lead data: {len(operators)} operators in {teams} teams; writing {cases:,} cases over {days} days")
            _cases(cur, rng, operators, seat_of, cases, start, days, fields_for)
            calls = _calls(cur, rng, operators, seat_of, round(cases * calls_per_case), start, days)
        conn.commit()
        with conn.cursor() as cur:
            conn.autocommit = True
            cur.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    took = time.monotonic() - started
    log(f"lead data: {cases:,} cases and {calls:,} calls loaded in {took:.0f} s")
    return LeadData(url, roster, leads, cases, calls, start, end, took)


def _arrival(rng: random.Random, start: datetime, days: int) -> datetime:
    """A moment in [start, start + days) on the city's clock, busier in the hotline's busy hours."""
    hour = rng.choices(range(24), weights=HOURLY_SHAPE)[0]
    return start + timedelta(days=rng.randrange(days), hours=hour, seconds=rng.random() * 3600)


def _cases(cur: Any, rng: random.Random, operators: list[str], seat_of: dict[str, tuple[str, str]], n: int,
           start: datetime, days: int, fields_for: FieldsFor | None) -> None:
    numbers: dict[tuple[str, str], int] = {}
    now = datetime.now(UTC)
    case_cols = ("id, number, seat_id, created_by, status, fields, lead_department, respond_by, finish_by, "
                 "created_at, received_at, last_event_seq")
    kpi_cols = ("case_id, operator_id, accepted_at, accepted_hour, dispatched, respond_by, first_response_at, "
                "finish_by, completed_at, routing_suggested, routing_overridden, handling_seconds, callback_result")
    dept_cols = "case_id, department_id, operator_id, accepted_at, returned"
    results = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
    rows: dict[str, list[tuple[Any, ...]]] = {"cases": [], "case_kpi": [], "case_kpi_departments": []}
    columns = {"cases": case_cols, "case_kpi": kpi_cols, "case_kpi_departments": dept_cols}
    for i in range(n):
        accepted = _arrival(rng, start, days)
        op = rng.choice(operators)
        seat_id, code = seat_of[op]
        day = accepted.strftime("%Y%m%d")
        numbers[(code, day)] = seq = numbers.get((code, day), 0) + 1
        case_id = str(uuid.uuid4())
        dispatched = rng.random() < 0.75
        department = rng.choice(DEPARTMENTS)
        fields = fields_for(rng, i) if fields_for else _fields(rng, department, dispatched)
        respond_by = finish_by = first = completed = None
        callback = None
        status = "closed"
        if dispatched:
            respond_by = accepted + timedelta(hours=2)
            finish_by = accepted + timedelta(days=rng.choice((1, 3, 7)))
            if rng.random() < 0.9:
                first = accepted + timedelta(minutes=rng.lognormvariate(4.0, 0.7))
            if first is not None and rng.random() < 0.1:
                finish_by += timedelta(days=3)  # extended
            if first is not None and rng.random() < 0.85:
                span = (finish_by - first).total_seconds() * 1.15
                completed = first + timedelta(seconds=rng.random() * span)
                if completed > now:
                    completed = None
            status = "closed" if completed else "signed" if first else "dispatched"
        if (completed is not None or not dispatched) and rng.random() < 0.4:
            callback = rng.choices(results, weights=(60, 20, 8, 12))[0]
        suggested = rng.random() < 0.9
        handling = round(rng.lognormvariate(5.4, 0.5)) if rng.random() < 0.85 else None
        rows["cases"].append((
            case_id, f"{code}-{day}-{seq:04d}", seat_id, op, status, json.dumps(fields, ensure_ascii=False),
            department if dispatched else "", respond_by.isoformat() if respond_by else "",
            finish_by.isoformat() if finish_by else "", accepted.isoformat(), accepted, 1))
        rows["case_kpi"].append((case_id, op, accepted, accepted.hour, dispatched, respond_by, first, finish_by,
                                 completed, suggested, suggested and rng.random() < 0.12, handling, callback))
        if dispatched:
            rows["case_kpi_departments"].append((case_id, department, op, accepted, rng.random() < 0.05))
            if rng.random() < 0.1:
                other = rng.choice([d for d in DEPARTMENTS if d != department])
                rows["case_kpi_departments"].append((case_id, other, op, accepted, rng.random() < 0.05))
        if len(rows["cases"]) == CHUNK or i == n - 1:
            for table, chunk in rows.items():  # one COPY at a time on a connection
                with cur.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                chunk.clear()
            if (i + 1) % 200_000 < CHUNK:
                log(f"  {i + 1:,} cases")


def _calls(cur: Any, rng: random.Random, operators: list[str], seat_of: dict[str, tuple[str, str]], n: int,
           start: datetime, days: int) -> int:
    cols = ("call_id, offered_at, answered_at, ended_at, wait_seconds, abandoned, seat_code, operator_id, "
            "caller_masked, received_at")
    now = datetime.now(UTC)
    with cur.copy(f"COPY call_records ({cols}) FROM STDIN") as copy:
        for i in range(n):
            offered = _arrival(rng, start, days)
            if rng.random() < 0.08:  # gave up waiting
                wait = rng.expovariate(1 / 90)
                copy.write_row((f"G{i:08d}", offered, None, offered + timedelta(seconds=wait), wait, True,
                                None, None, None, now))
                continue
            op = rng.choice(operators)
            wait = rng.expovariate(1 / 25)
            answered = offered + timedelta(seconds=wait)
            copy.write_row((f"G{i:08d}", offered, answered, answered + timedelta(seconds=rng.expovariate(1 / 280)),
                            wait, False, seat_of[op][1], op, None, now))
    return n
